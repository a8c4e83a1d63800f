/**
 * `Symbol.asyncDispose` and `AsyncDisposable` for apps whose TypeScript `lib` predates explicit resource
 * management (`esnext.disposable`; a Vite template has ES2020 + DOM): the handles' declarations name them, and
 * without these a consumer that checks libraries (`skipLibCheck: false`) gets TS2304. They merge with the lib's and
 * @types/node's identical declarations where those are present.
 */
declare global {
  interface SymbolConstructor {
    readonly asyncDispose: unique symbol;
  }
  interface AsyncDisposable {
    [Symbol.asyncDispose](): PromiseLike<void>;
  }
}

export {};
