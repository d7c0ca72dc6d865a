export * from './users';
export * from './runs';
export * from './journal';
export * from './jobs';
export * from './downloads';
export * from './evidence';
export * from './posture';
export * from './retention';
