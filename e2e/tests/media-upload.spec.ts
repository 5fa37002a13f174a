import { expect, test, type Page } from '@playwright/test';
import sharp from 'sharp';
import { demoPassword, expectAccessible, signIn, snap, uniqueSuffix } from './helpers';

/**
 * The media library against the real platform (the e2e server runs the worker, so uploads are processed):
 * a contributor of Bella Café uploads an image and sees it in the library; a text file named .png is
 * refused with a clear message and changes nothing; a photo's location (EXIF GPS) is gone from what the
 * library serves.
 */

const contributor = 'bella.contributor@northwind.test';

async function openLibrary(page: Page) {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Media' }).click();
  await expect(page.getByRole('heading', { name: 'Media library', level: 1 })).toBeVisible();
  await expect(page.getByTestId('media-quota-used')).toBeVisible();
}

/** A JPEG with a GPS position and a camera model in its EXIF, as a phone writes it. */
async function photoWithLocation(): Promise<Buffer> {
  return sharp({ create: { width: 640, height: 480, channels: 3, background: '#c05030' } })
    .withExif({ IFD0: { Make: 'E2EPhone' }, IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '45/1 28/1 0/1', GPSLongitudeRef: 'E', GPSLongitude: '9/1 11/1 0/1' } })
    .jpeg()
    .toBuffer();
}

test('a contributor uploads an image, sees it in the library, and a text file named .png is refused', async ({ page }) => {
  await signIn(page, contributor, demoPassword);
  await openLibrary(page);

  const name = `storefront-${uniqueSuffix()}.png`;
  const png = await sharp({ create: { width: 800, height: 600, channels: 3, background: '#2a7a5a' } }).png().toBuffer();
  await page.getByTestId('media-file-input').setInputFiles({ name, mimeType: 'image/png', buffer: png });
  const upload = page.getByTestId('media-upload-item').filter({ hasText: name });
  await expect(upload.getByText(/Uploaded/)).toBeVisible();
  const tile = page.getByTestId('media-tile').filter({ hasText: name });
  // Processed by the worker: the thumbnail appears (the library polls while anything is processing).
  await expect(tile.getByRole('img')).toBeVisible({ timeout: 30_000 });
  await expect(page.getByTestId('media-quota-used')).toContainText(/used · \d+ files?/);
  await snap(page, 'media-library');
  await expectAccessible(page);

  // Read the meter once processing has settled (renditions count towards the quota).
  await page.reload();
  await expect(page.getByTestId('media-tile').filter({ hasText: name }).getByRole('img')).toBeVisible();
  const tilesBefore = await page.getByTestId('media-tile').count();
  const quotaBefore = await page.getByTestId('media-quota-used').textContent();
  await page.getByTestId('media-file-input').setInputFiles({ name: 'notes.png', mimeType: 'image/png', buffer: Buffer.from('Meeting notes: this is text, not a picture.\n'.repeat(10)) });
  const refused = page.getByTestId('media-upload-item').filter({ hasText: 'notes.png' });
  await expect(refused.getByRole('alert')).toHaveText(/This file is not an image or video Omni accepts/);
  await page.reload();
  await expect(page.getByTestId('media-quota-used')).toHaveText(quotaBefore ?? '');
  await expect(page.getByTestId('media-tile')).toHaveCount(tilesBefore);
  await expect(page.getByTestId('media-tile').filter({ hasText: 'notes.png' })).toHaveCount(0);
  await snap(page, 'media-refused');
});

test('a photo’s location and camera data are gone from every size the library serves', async ({ page, request }) => {
  await signIn(page, contributor, demoPassword);
  await openLibrary(page);
  const name = `terrace-${uniqueSuffix()}.jpg`;
  const photo = await photoWithLocation();
  expect((await sharp(photo).metadata()).exif).toBeDefined();
  await page.getByTestId('media-file-input').setInputFiles({ name, mimeType: 'image/jpeg', buffer: photo });
  const tile = page.getByTestId('media-tile').filter({ hasText: name });
  await expect(tile.getByRole('img')).toBeVisible({ timeout: 30_000 });
  await tile.click();
  const details = page.getByRole('dialog', { name });
  await expect(details.getByRole('link', { name: 'Preview' })).toBeVisible();
  await expectAccessible(page);
  const links = details.getByRole('link');
  for (let index = 0; index < (await links.count()); index += 1) {
    const url = await links.nth(index).getAttribute('href');
    const response = await request.get(url!);
    expect(response.status()).toBe(200);
    const bytes = await response.body();
    const metadata = await sharp(bytes).metadata();
    expect(metadata.exif, url!).toBeUndefined();
    expect(bytes.includes(Buffer.from('E2EPhone'))).toBe(false);
  }
});
