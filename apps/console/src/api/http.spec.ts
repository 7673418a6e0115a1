import { errorOf } from './http';

describe('errorOf', () => {
  it('reads problem+json: title, detail and the invalid fields', () => {
    const error = errorOf(400, 'Bad Request', { title: 'Invalid request', detail: 'invalid request: note', errors: [{ field: 'note', message: 'is required' }] }, '');
    expect(error.status).toBe(400);
    expect(error.message).toBe('400 Invalid request: invalid request: note');
    expect(error.fields).toEqual([{ field: 'note', message: 'is required' }]);
    expect(error.isAuth).toBe(false);
  });

  it('marks 401 and 403 as a token problem', () => {
    expect(errorOf(401, 'Unauthorized', { title: 'Unauthorized' }, '').isAuth).toBe(true);
    expect(errorOf(403, 'Forbidden', undefined, 'no').isAuth).toBe(true);
  });

  it('falls back to the status line and the start of a non-JSON body', () => {
    const error = errorOf(502, 'Bad Gateway', undefined, '<html>proxy error</html>');
    expect(error.title).toBe('Bad Gateway');
    expect(error.detail).toBe('<html>proxy error</html>');
  });
});
