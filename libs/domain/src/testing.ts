// Builders and fakes for tests of other libraries.
export {};
