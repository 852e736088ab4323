/** Small zod helpers shared by the config fragments: env values arrive as strings or not at all. */
import { z } from "zod";

/** An optional string where "" counts as unset. */
export const optionalString = () =>
  z
    .string()
    .optional()
    .transform((v) => (v === undefined || v.trim() === "" ? undefined : v.trim()));

export const int = (fallback: number, { min = 0, max = Number.MAX_SAFE_INTEGER } = {}) =>
  z.coerce.number().int().min(min).max(max).default(fallback);

export const num = (fallback: number, { min = 0, max = Number.MAX_VALUE } = {}) =>
  z.coerce.number().min(min).max(max).default(fallback);

export const bool = (fallback: boolean) =>
  z
    .enum(["true", "false", "1", "0", "yes", "no"])
    .default(fallback ? "true" : "false")
    .transform((v) => v === "true" || v === "1" || v === "yes");

export const url = () => z.url({ protocol: /^https?$/ });

/** Comma-separated list; blanks dropped. */
export const list = () =>
  z
    .string()
    .default("")
    .transform((v) =>
      v
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean),
    );

/** A boolean whose default depends on other variables: undefined when unset (or ""). */
export const optionalBool = () =>
  z
    .enum(["true", "false", "1", "0", "yes", "no", ""])
    .optional()
    .transform((v) => (v === undefined || v === "" ? undefined : v === "true" || v === "1" || v === "yes"));

/** A comma-separated list whose default depends on other variables: undefined when unset. */
export const optionalList = () =>
  z
    .string()
    .optional()
    .transform((v) =>
      v === undefined
        ? undefined
        : v
            .split(",")
            .map((s) => s.trim())
            .filter(Boolean),
    );
