import { createContext, useContext, useEffect, useRef, useState } from 'react';

export interface LiveEvent {
  type: string;
  complaintId?: string;
  teamId?: string | null;
  occurredAt: string;
}

export const Live = createContext<{ connected: boolean; tick: number; recent: LiveEvent[] }>({
  connected: false,
  tick: 0,
  recent: [],
});
export const useLive = () => useContext(Live);

/** One EventSource for the signed-in person; `tick` changes on every event so views refetch. */
export function useLiveStream(enabled: boolean) {
  const [state, setState] = useState<{ connected: boolean; tick: number; recent: LiveEvent[] }>({
    connected: false,
    tick: 0,
    recent: [],
  });
  const pending = useRef<LiveEvent[]>([]);
  useEffect(() => {
    if (!enabled) return;
    const source = new EventSource('/api/events/stream');
    let timer: ReturnType<typeof setTimeout> | null = null;
    const flush = () => {
      timer = null;
      const batch = pending.current;
      pending.current = [];
      setState((s) => ({
        connected: true,
        tick: s.tick + 1,
        recent: [...batch.reverse(), ...s.recent].slice(0, 50),
      }));
    };
    source.onopen = () => setState((s) => ({ ...s, connected: true }));
    source.onerror = () => setState((s) => ({ ...s, connected: false }));
    source.addEventListener('klaxon', (e) => {
      pending.current.push(JSON.parse((e as MessageEvent<string>).data) as LiveEvent);
      // Bursts (received → classified → assigned) become one refresh.
      timer ??= setTimeout(flush, 150);
    });
    return () => {
      if (timer) clearTimeout(timer);
      source.close();
    };
  }, [enabled]);
  return state;
}
