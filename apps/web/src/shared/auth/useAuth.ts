import { useSyncExternalStore } from 'react';
import { api, type AuthState } from '../api';

/** The session as React state: re-renders on sign-in, refresh, switch and sign-out. */
export function useAuth(): AuthState {
  return useSyncExternalStore(api.subscribe, api.getState, api.getState);
}

/** The signed-in session; only call it under the authenticated layout. */
export function useSession() {
  const state = useAuth();
  if (state.status !== 'signed-in') throw new Error('useSession outside a signed-in area');
  return state;
}
