/** Headers of every answer that may carry personal or account data: never kept by a browser or a proxy. */
export const NO_STORE: Readonly<Record<string, string>> = Object.freeze({ 'cache-control': 'no-store', pragma: 'no-cache' });
