/**
 * Makes the dev keeper able to reveal on a local fork of a real deployment, touching only the fork:
 * an account that still holds DEFAULT_ADMIN_ROLE is found from the contract's RoleGranted logs,
 * impersonated (anvil_impersonateAccount) to grant KEEPER_ROLE to the keeper, and the keeper is funded
 * (anvil_setBalance). Every call goes to the local anvil; the forked-from chain only serves reads.
 */
import {
  type Address,
  createPublicClient,
  createTestClient,
  createWalletClient,
  defineChain,
  http,
  parseAbiItem,
  parseEther,
  zeroHash,
} from "viem";
import { GliskNFTAbi } from "../../abis/GliskNFTAbi";
import type { Network } from "../../common/network";

const KEEPER_ROLE = "0xfc8737ab85eb45125971625a9ebdb75cc78e01d5c1fa80c4c6e5203f47bc4fab";
const ROLE_GRANTED = parseAbiItem(
  "event RoleGranted(bytes32 indexed role, address indexed account, address indexed sender)",
);
/** Blocks per eth_getLogs call; halved when the RPC refuses a range, down to MIN_CHUNK. */
const CHUNK = 10_000n;
const MIN_CHUNK = 100n;

export type ForkKeeperParameters = { rpcUrl: string; network: Network; keeper: Address };
export type ForkKeeperReturnType = { admin: Address | null; granted: boolean };

function clients(rpcUrl: string, chainId: number) {
  const chain = defineChain({
    id: chainId,
    name: `fork of chain ${chainId}`,
    nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
    rpcUrls: { default: { http: [rpcUrl] } },
  });
  const transport = http(rpcUrl);
  return {
    chain,
    publicClient: createPublicClient({ chain, transport, pollingInterval: 200 }),
    testClient: createTestClient({ chain, transport, mode: "anvil" }),
  };
}

type Clients = ReturnType<typeof clients>;

const hasRole = (c: Clients, network: Network, role: `0x${string}`, account: Address) =>
  c.publicClient.readContract({
    address: network.address,
    abi: GliskNFTAbi,
    functionName: "hasRole",
    args: [role, account],
  });

/** The first account granted DEFAULT_ADMIN_ROLE (oldest first) that still holds it. */
async function findAdmin(c: Clients, network: Network): Promise<Address | undefined> {
  const head = await c.publicClient.getBlockNumber();
  const checked = new Set<Address>();
  let from = BigInt(network.startBlock);
  let chunk = CHUNK;
  while (from <= head) {
    const to = from + chunk - 1n < head ? from + chunk - 1n : head;
    let logs: Awaited<ReturnType<typeof c.publicClient.getLogs<typeof ROLE_GRANTED>>>;
    try {
      logs = await c.publicClient.getLogs({
        address: network.address,
        event: ROLE_GRANTED,
        args: { role: zeroHash },
        fromBlock: from,
        toBlock: to,
      });
    } catch (error) {
      if (chunk <= MIN_CHUNK) throw error;
      chunk /= 2n; // the RPC caps the range: ask for less
      continue;
    }
    for (const log of logs) {
      const account = log.args.account as Address;
      if (checked.has(account)) continue;
      checked.add(account);
      if (await hasRole(c, network, zeroHash, account)) return account;
    }
    from = to + 1n;
  }
  return undefined;
}

/** Grants KEEPER_ROLE to `keeper` on the fork (unless it holds it already) and funds it. */
export async function prepareForkKeeper(p: ForkKeeperParameters): Promise<ForkKeeperReturnType> {
  const c = clients(p.rpcUrl, p.network.chainId);
  const result: ForkKeeperReturnType = { admin: null, granted: false };
  if (!(await hasRole(c, p.network, KEEPER_ROLE, p.keeper))) {
    const admin = await findAdmin(c, p.network);
    if (!admin) {
      throw new Error(
        `no account holds DEFAULT_ADMIN_ROLE on ${p.network.address} according to its RoleGranted logs since ` +
          `block ${p.network.startBlock}: cannot grant KEEPER_ROLE to the dev keeper on the fork`,
      );
    }
    await c.testClient.impersonateAccount({ address: admin });
    try {
      // The admin may be a contract or an empty wallet: give it gas money on the fork.
      if ((await c.publicClient.getBalance({ address: admin })) < parseEther("0.1"))
        await c.testClient.setBalance({ address: admin, value: parseEther("1") });
      const wallet = createWalletClient({ chain: c.chain, transport: http(p.rpcUrl), account: admin });
      const hash = await wallet.writeContract({
        address: p.network.address,
        abi: GliskNFTAbi,
        functionName: "grantRole",
        args: [KEEPER_ROLE, p.keeper],
      });
      const receipt = await c.publicClient.waitForTransactionReceipt({ hash });
      if (receipt.status !== "success") throw new Error(`grantRole from ${admin} reverted on the fork (${hash})`);
    } finally {
      await c.testClient.stopImpersonatingAccount({ address: admin });
    }
    Object.assign(result, { admin, granted: true });
  }
  if ((await c.publicClient.getBalance({ address: p.keeper })) < parseEther("1"))
    await c.testClient.setBalance({ address: p.keeper, value: parseEther("100") });
  return result;
}
