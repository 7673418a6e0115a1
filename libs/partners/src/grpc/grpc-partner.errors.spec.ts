import { Metadata, status, type ServiceError } from '@grpc/grpc-js';
import { PartnerUnavailableError } from '@oms/domain';
import { PartnerCallError, partnerCallErrorOf } from './grpc-partner.errors';

const grpcError = (code: status, details: string): ServiceError =>
  Object.assign(new Error(`${code} ${status[code]}: ${details}`), { code, details, metadata: new Metadata() });

describe('partnerCallErrorOf', () => {
  it.each([status.UNAVAILABLE, status.DEADLINE_EXCEEDED, status.RESOURCE_EXHAUSTED, status.INTERNAL, status.CANCELLED])(
    'treats gRPC code %s as transient (PartnerUnavailableError)',
    (code) => {
      const error = partnerCallErrorOf('payment', 'Pay', grpcError(code, 'try later'));
      expect(error).toBeInstanceOf(PartnerUnavailableError);
      expect(error).toMatchObject({ partner: 'payment', message: `payment Pay: ${status[code]}: try later` });
    },
  );

  it.each([status.INVALID_ARGUMENT, status.UNIMPLEMENTED, status.PERMISSION_DENIED, status.NOT_FOUND, status.UNKNOWN])(
    'reports gRPC code %s as a PartnerCallError carrying the code',
    (code) => {
      const error = partnerCallErrorOf('inventory', 'Reserve', grpcError(code, 'bad request'));
      expect(error).not.toBeInstanceOf(PartnerUnavailableError);
      expect(error).toBeInstanceOf(PartnerCallError);
      expect(error).toMatchObject({ partner: 'inventory', grpcCode: code, message: `inventory Reserve: ${status[code]}: bad request` });
    },
  );

  it('treats an error that is not a gRPC status (e.g. a closed channel) as transient', () => {
    const error = partnerCallErrorOf('inventory', 'Release', new Error('Channel has been shut down'));
    expect(error).toBeInstanceOf(PartnerUnavailableError);
    expect(error.message).toBe('inventory Release: Channel has been shut down');
  });
});
