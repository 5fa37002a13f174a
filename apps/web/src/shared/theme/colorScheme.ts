import { useEffect, useSyncExternalStore } from 'react';

export type ColorSchemePreference = 'light' | 'dark' | 'system';

const storageKey = 'omni.theme';
const listeners = new Set<() => void>();

function read(): ColorSchemePreference {
  try {
    const saved = localStorage.getItem(storageKey);
    if (saved === 'light' || saved === 'dark') return saved;
  } catch {
    // storage unavailable
  }
  return 'system';
}

let preference: ColorSchemePreference = typeof window === 'undefined' ? 'system' : read();

function systemPrefersDark() {
  return typeof matchMedia !== 'undefined' && matchMedia('(prefers-color-scheme: dark)').matches;
}

function apply() {
  const dark = preference === 'dark' || (preference === 'system' && systemPrefersDark());
  document.documentElement.classList.toggle('dark', dark);
}

export function setColorScheme(next: ColorSchemePreference) {
  preference = next;
  try {
    if (next === 'system') localStorage.removeItem(storageKey);
    else localStorage.setItem(storageKey, next);
  } catch {
    // storage unavailable: lasts for this page
  }
  apply();
  for (const listener of listeners) listener();
}

/** The chosen scheme (light, dark or follow the system), kept in sync with the OS setting. */
export function useColorScheme(): ColorSchemePreference {
  const value = useSyncExternalStore(
    (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    () => preference,
    () => preference,
  );
  useEffect(() => {
    const media = matchMedia('(prefers-color-scheme: dark)');
    const onChange = () => apply();
    media.addEventListener('change', onChange);
    return () => media.removeEventListener('change', onChange);
  }, []);
  return value;
}
