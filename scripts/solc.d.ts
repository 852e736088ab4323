// solc-js 0.8.20 (the deployed contract's compiler) ships no type declarations; compile.ts uses only this.
declare module "solc" {
  const solc: {
    compile(input: string, callbacks?: { import: (path: string) => { contents: string } | { error: string } }): string;
  };
  export default solc;
}
