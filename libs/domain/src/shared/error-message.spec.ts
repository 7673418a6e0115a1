import { errorMessage } from './error-message';

describe('errorMessage', () => {
  it("gives an Error's message and anything else as text", () => {
    expect(errorMessage(new TypeError('bad input'))).toBe('bad input');
    expect(errorMessage('lost')).toBe('lost');
    expect(errorMessage(undefined)).toBe('undefined');
  });
});
