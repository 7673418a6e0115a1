import { Controller } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import { MockPartners } from './mock-partners';
import { answerPartnerCall } from './partner-call';
import { parseRelease, parseReserve } from './partner-requests';

/** A request as proto-loader hands it over (snake_case, int64 as decimal strings). */
type WireRequest = Readonly<Record<string, unknown>>;

/** oms.partners.v1.InventoryService: Reserve and Release by the in-process inventory's rules. */
@Controller()
export class InventoryGrpcController {
  constructor(private readonly partners: MockPartners) {}

  @GrpcMethod('InventoryService', 'Reserve')
  reserve(request: WireRequest): Promise<object> {
    return answerPartnerCall(this.partners, 'Reserve', parseReserve(request), (r) => this.partners.inventory.reserve(r), (result) => ({
      reservation_id: result.reservationId,
    }));
  }

  @GrpcMethod('InventoryService', 'Release')
  release(request: WireRequest): Promise<object> {
    return answerPartnerCall(this.partners, 'Release', parseRelease(request), (r) => this.partners.inventory.release(r), () => ({}));
  }
}
