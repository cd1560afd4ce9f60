/**
 * systemd readiness and watchdog (sd_notify(3)), doing nothing without `NOTIFY_SOCKET`
 * (zigbee2mqtt's `lib/util/sd-notify.ts`). Node has no Unix datagram sockets, so messages go through
 * `systemd-notify`; the unit therefore sets `NotifyAccess=all` (deploy/).
 */
import { execFile } from 'node:child_process';

export type NotifySend = (message: string) => Promise<void>;

export const systemdNotify: NotifySend = (message) =>
  new Promise((resolve) => {
    execFile('systemd-notify', [message], { timeout: 5000 }, () => resolve());
  });

export interface Notifier {
  ready(): Promise<void>;
  stopping(): Promise<void>;
  close(): void;
}

/**
 * Starts the watchdog pings (every half `WATCHDOG_USEC`, as sd_watchdog_enabled(3) advises) when
 * systemd asked for them; `isAlive` (the daemon's is `watchdog.ts`'s `queueWatch`) lets a stuck agent
 * miss its pings so systemd restarts it.
 */
export function createNotifier(env: Readonly<Record<string, string | undefined>>, isAlive: () => boolean, send: NotifySend = systemdNotify): Notifier {
  if (!env.NOTIFY_SOCKET) return { ready: async () => {}, stopping: async () => {}, close: () => {} };
  const usec = Number(env.WATCHDOG_USEC);
  const pid = Number(env.WATCHDOG_PID);
  const forUs = !env.WATCHDOG_PID || pid === process.pid;
  let timer: NodeJS.Timeout | undefined;
  if (Number.isFinite(usec) && usec > 0 && forUs) {
    timer = setInterval(() => {
      if (isAlive()) void send('WATCHDOG=1');
    }, Math.max(500, usec / 2000));
    timer.unref();
  }
  return {
    ready: () => send('READY=1'),
    stopping: () => send('STOPPING=1'),
    close: () => clearInterval(timer),
  };
}
