export * from './users';
export * from './runs';
export * from './journal';
export * from './jobs';
export * from './downloads';
