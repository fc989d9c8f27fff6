import type { ChatStats } from "../chat/service.ts";
import type { ProcessStats } from "../runtime/types.ts";

/** Chat-log append latency buckets, in seconds: an fsync'd group commit is usually 0.1-20 ms. */
export const LOG_WRITE_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

/** What a scrape reads from the running server at that moment. */
export type MetricsSnapshot = {
  state: string;
  /** The running chat's numbers, or undefined while it is not running. */
  chat: ChatStats | undefined;
  process: ProcessStats | undefined;
  eventLoopLagSeconds: number;
};

type Counters = { messagesIn: number; deliveries: number; slowConsumersDropped: number; rateLimited: number };

/**
 * A tiny Prometheus registry (text format 0.0.4), the same on Node and Deno.
 * Counters live for the whole process: the chat service's own counters start
 * again at each restart, so the daemon retires each service into `#retired`.
 */
export class Metrics {
  signIns = { ok: 0, failed: 0 };
  messagesOut = 0;
  #retired: Counters = { messagesIn: 0, deliveries: 0, slowConsumersDropped: 0, rateLimited: 0 };
  #logWrite = { buckets: LOG_WRITE_BUCKETS.map(() => 0), count: 0, sum: 0 };

  /** Folds a stopping chat service's counters into the process totals. */
  retire(chat: ChatStats): void {
    const c = countersOf(chat);
    for (const key of Object.keys(c) as Array<keyof Counters>) this.#retired[key] += c[key];
  }

  observeLogWrite(seconds: number): void {
    const h = this.#logWrite;
    h.count += 1;
    h.sum += seconds;
    LOG_WRITE_BUCKETS.forEach((le, i) => {
      if (seconds <= le) h.buckets[i]! += 1;
    });
  }

  render(s: MetricsSnapshot): string {
    const out: string[] = [];
    const metric = (name: string, type: string, help: string, samples: Array<[string, number]>) => {
      out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
      for (const [labels, value] of samples) out.push(`${name}${labels} ${formatValue(value)}`);
    };
    const live = s.chat ? countersOf(s.chat) : { messagesIn: 0, deliveries: 0, slowConsumersDropped: 0, rateLimited: 0 };
    const total = (key: keyof Counters) => this.#retired[key] + live[key];
    const connections = s.chat?.connections ?? 0;
    const active = s.chat?.active ?? 0;

    metric("chatd_up", "gauge", "1 while the server is running and accepting sessions.", [["", s.state === "running" ? 1 : 0]]);
    metric("chatd_connections", "gauge", "Open WebSocket connections.", [["", connections]]);
    metric("chatd_sessions", "gauge", "Connections by session state.", [
      ['{state="authenticating"}', connections - active],
      ['{state="active"}', active],
    ]);
    metric("chatd_users_online", "gauge", "Distinct users signed in.", [["", s.chat?.usersOnline ?? 0]]);
    metric("chatd_rooms", "gauge", "Rooms listed (defaults, rooms with members or history).", [["", s.chat?.rooms ?? 0]]);
    metric("chatd_messages_in_total", "counter", "Chat messages (say, dm) accepted and stored.", [["", total("messagesIn")]]);
    metric("chatd_messages_out_total", "counter", "Stored chat messages fanned out to their recipients.", [["", this.messagesOut]]);
    metric("chatd_deliveries_total", "counter", "Frames written to client sockets.", [["", total("deliveries")]]);
    metric("chatd_slow_consumers_dropped_total", "counter", "Clients cut off (4001) for not reading fast enough.", [["", total("slowConsumersDropped")]]);
    metric("chatd_sign_ins_total", "counter", "Sign-ins (password or token) by result.", [
      ['{result="ok"}', this.signIns.ok],
      ['{result="failed"}', this.signIns.failed],
    ]);
    metric("chatd_rate_limited_total", "counter", "say/dm requests refused with rate_limited.", [["", total("rateLimited")]]);

    const h = this.#logWrite;
    out.push("# HELP chatd_chatlog_write_seconds Time from chat-log append to durable (group commit, fsync).", "# TYPE chatd_chatlog_write_seconds histogram");
    LOG_WRITE_BUCKETS.forEach((le, i) => out.push(`chatd_chatlog_write_seconds_bucket{le="${le}"} ${h.buckets[i]}`));
    out.push(`chatd_chatlog_write_seconds_bucket{le="+Inf"} ${h.count}`, `chatd_chatlog_write_seconds_sum ${formatValue(h.sum)}`, `chatd_chatlog_write_seconds_count ${h.count}`);

    metric("chatd_event_loop_lag_seconds", "gauge", "Delay of a zero-delay timer, measured at scrape.", [["", s.eventLoopLagSeconds]]);

    const p = s.process;
    if (p) {
      metric("process_cpu_user_seconds_total", "counter", "User CPU time spent.", [["", p.cpuUserSeconds]]);
      metric("process_cpu_system_seconds_total", "counter", "System CPU time spent.", [["", p.cpuSystemSeconds]]);
      metric("process_cpu_seconds_total", "counter", "Total user and system CPU time spent.", [["", p.cpuUserSeconds + p.cpuSystemSeconds]]);
      metric("process_resident_memory_bytes", "gauge", "Resident memory size.", [["", p.residentBytes]]);
      metric("process_heap_bytes", "gauge", "JavaScript heap in use.", [["", p.heapUsedBytes]]);
      metric("process_heap_total_bytes", "gauge", "JavaScript heap allocated.", [["", p.heapTotalBytes]]);
      metric("process_start_time_seconds", "gauge", "Start time of the process since the Unix epoch.", [["", p.startTimeSeconds]]);
    }
    metric("chatd_runtime_info", "gauge", "The runtime chatd runs on.", [[`{runtime="${p?.runtime ?? "unknown"}",version="${p?.version ?? ""}"}`, 1]]);
    return out.join("\n") + "\n";
  }
}

function countersOf(chat: ChatStats): Counters {
  return { messagesIn: chat.messagesIn, deliveries: chat.deliveries, slowConsumersDropped: chat.slowConsumersDropped, rateLimited: chat.rateLimited };
}

function formatValue(v: number): string {
  return Number.isFinite(v) ? String(Math.round(v * 1e6) / 1e6) : "NaN";
}

/** How late a zero-delay timer fires: the event loop's current backlog. */
export function measureEventLoopLag(): Promise<number> {
  const start = performance.now();
  return new Promise((resolve) => setTimeout(() => resolve(Math.max(0, (performance.now() - start) / 1000)), 0));
}
