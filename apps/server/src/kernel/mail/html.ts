/** Escape text for HTML mail bodies and pages (& < > " ' as numeric entities). */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`);
}
