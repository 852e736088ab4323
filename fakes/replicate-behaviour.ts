/** The state of one fake prediction and the switches that steer the fake Replicate (replicate.ts). */
import { renderPng } from "../pipeline/providers/local-image";

type Status = "starting" | "processing" | "succeeded" | "failed" | "canceled";
export type FakePrediction = {
  id: string;
  model: string;
  version: string;
  input: { prompt?: string } & Record<string, unknown>;
  status: Status;
  output: string[] | null;
  error: string | null;
  polls: number;
  created_at: string;
  completed_at: string | null;
};

export type Behaviour = {
  /** GETs that see `processing` before the prediction completes. */
  processingPolls: number;
  /** Keep every prediction `processing` until `release()`. */
  hold: boolean;
  /** Prompts for which the prediction fails with the Flux NSFW text. */
  nsfw: (prompt: string) => boolean;
  /** Prompts for which the prediction fails with a model error. */
  modelError: (prompt: string) => boolean;
  /** Output URL of a finished prediction (default: the fake's own /files URL). */
  outputUrl?: (p: FakePrediction, origin: string) => string;
  /** Bytes served for an output (default: a PNG of the prompt). */
  outputBytes: (p: FakePrediction) => Buffer;
  /** Outputs answer 404 (expired). */
  expired: boolean;
  /** Predictions stay `processing` at least this long after creation (benchmarks). */
  predictMs: number;
  /** Added before every response (benchmarks). */
  latencyMs: number;
  /** Creates accepted per minute, refilled evenly; 0: no limit. */
  createsPerMinute: number;
  /** Creates the bucket holds when full (default: one second of the rate, at least 1). */
  createBurst?: number;
  /** Runs once a prediction exists and before its create is answered: a fault between the two. */
  afterCreate?: (p: FakePrediction) => Promise<void> | void;
};

/** The fake's behaviour when started, and after `reset()`. */
export const defaultBehaviour = (): Behaviour => ({
  processingPolls: 1,
  hold: false,
  nsfw: () => false,
  modelError: () => false,
  outputBytes: (p) => Buffer.from(renderPng(String(p.input.prompt ?? ""), p.id)),
  expired: false,
  predictMs: 0,
  latencyMs: 0,
  createsPerMinute: 0,
});
