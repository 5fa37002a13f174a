import { useQuery } from '@tanstack/react-query';
import { useEffect } from 'react';
import { tenancyApi } from '../api/endpoints';
import { readableTextOn } from './contrast';

const linkId = 'omni-tenant-theme';
let themeVersion = 0;

/** Reload the tenant's theme.css (after the branding was saved). */
export function bumpThemeVersion() {
  themeVersion += 1;
  const link = document.getElementById(linkId) as HTMLLinkElement | null;
  if (link) link.href = themeHref(link.dataset.slug ?? '');
}

function themeHref(slug: string) {
  return `/t/${encodeURIComponent(slug)}/theme.css${themeVersion ? `?v=${themeVersion}` : ''}`;
}

/**
 * Apply the active tenant's white-label theme: its CSS-variables stylesheet as a <link>, plus the text
 * colour that stays readable on its primary colour.
 */
export function TenantTheme({ enabled }: { enabled: boolean }) {
  const tenant = useQuery({ queryKey: ['tenant'], queryFn: tenancyApi.tenant, enabled, staleTime: 60_000 });
  const slug = enabled ? tenant.data?.slug : undefined;
  const primary = enabled ? tenant.data?.branding.colors.primary : undefined;

  useEffect(() => {
    let link = document.getElementById(linkId) as HTMLLinkElement | null;
    if (!slug) {
      link?.remove();
      return;
    }
    if (!link) {
      link = document.createElement('link');
      link.id = linkId;
      link.rel = 'stylesheet';
      document.head.appendChild(link);
    }
    if (link.dataset.slug !== slug) {
      link.dataset.slug = slug;
      link.href = themeHref(slug);
    }
  }, [slug]);

  useEffect(() => {
    const root = document.documentElement;
    if (primary) root.style.setProperty('--omni-color-on-primary', readableTextOn(primary));
    else root.style.removeProperty('--omni-color-on-primary');
  }, [primary]);

  return null;
}
