/** Clients made for one local server, so `stop()` can close every keep-alive socket they opened. */
export function clientPool<C extends { destroy(): void }>(create: () => C): { client: C; makeClient: () => C; destroyAll: () => void } {
  const clients: C[] = [];
  const makeClient = () => {
    const c = create();
    clients.push(c);
    return c;
  };
  return { client: makeClient(), makeClient, destroyAll: () => clients.forEach((c) => c.destroy()) };
}
