/**
 * Exit codes the project's processes agree on with their supervisors (dev, start): a configuration
 * error is final (sysexits' EX_CONFIG), anything else is worth a restart.
 */
export const EXIT_CONFIG = 78;
