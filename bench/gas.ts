/**
 * Gas per revealed token on GliskNFT for the two metadata URI forms the pipeline can produce:
 * CIDv1 (`ipfs://bafkrei…`, 66 bytes) and CIDv0 (`ipfs://Qm…`, 53 bytes). Reveals one batch of 50
 * on a fresh anvil and prints the figures.
 */
import { createHash } from "node:crypto";
import { CID } from "multiformats/cid";
import * as raw from "multiformats/codecs/raw";
import { create as digest } from "multiformats/hashes/digest";
import { GliskNFTAbi } from "../abis/GliskNFTAbi";
import { anvilAccount, deployGlisk, localClients, mint } from "../scripts/lib/glisk";
import { startAnvil } from "../scripts/lib/processes";

const BATCH = 50;
const sha256 = (text: string) => digest(0x12, createHash("sha256").update(text).digest());
const uriV1 = (id: bigint) => `ipfs://${CID.createV1(raw.code, sha256(`v1-${id}`)).toString()}`;
const uriV0 = (id: bigint) => `ipfs://${CID.createV0(sha256(`v0-${id}`)).toString()}`;

/** Reveals a fresh batch of 50 with the given URI form and returns gas per token. */
async function measure(rpcUrl: string, address: `0x${string}`, uri: (id: bigint) => string) {
  const author = anvilAccount(3).address;
  const { tokenIds } = await mint({ rpcUrl, address, author, quantity: BATCH });
  const { publicClient, walletFor } = localClients(rpcUrl);
  const uris = tokenIds.map(uri);
  const hash = await walletFor(anvilAccount(1)).writeContract({
    address,
    abi: GliskNFTAbi,
    functionName: "revealTokens",
    args: [tokenIds, uris],
  });
  const receipt = await publicClient.waitForTransactionReceipt({ hash });
  return { bytes: uris[0]?.length ?? 0, gasUsed: receipt.gasUsed, perToken: Number(receipt.gasUsed) / BATCH };
}

async function benchGas(): Promise<void> {
  const anvil = await startAnvil();
  try {
    const { address } = await deployGlisk({ rpcUrl: anvil.url, keeper: anvilAccount(1).address });
    const rows = [
      { form: "CIDv1 ipfs://bafkrei…", ...(await measure(anvil.url, address, uriV1)) },
      { form: "CIDv0 ipfs://Qm…", ...(await measure(anvil.url, address, uriV0)) },
    ];
    console.log(`gas: revealTokens of ${BATCH} tokens on anvil`);
    for (const r of rows) {
      console.log(
        `  ${r.form.padEnd(22)} uri ${r.bytes} bytes  tx gas ${r.gasUsed.toString().padStart(9)}  per token ${Math.round(r.perToken)}`,
      );
    }
  } finally {
    await anvil.stop();
  }
}

if (process.argv[1] === import.meta.filename) await benchGas();
