// Stands in for `server-only` under Vitest, where modules run outside the React server graph.
export {};
