import { Body, Controller, Get, Headers, HttpCode, Param, Post, Query, UseGuards } from '@nestjs/common';
import type { AdminDeadLettersJson, AdminSagaActionJson, AdminSagaDetailJson, AdminSagaListJson } from '@oms/contracts';
import { AdminRequests } from '../../admin/admin-requests.handler';
import { AdminTokenGuard } from './admin-token.guard';

type Headers = Record<string, string | string[] | undefined>;

/**
 * The admin API (`/v1/admin`, bearer OMS_ADMIN_TOKEN): translates HTTP to one AdminRequests call.
 * Retry and reprocess hand work to the orchestrator / relay (202); resolve is done when it answers (200).
 */
@Controller('v1/admin')
@UseGuards(AdminTokenGuard)
export class AdminController {
  constructor(private readonly requests: AdminRequests) {}

  @Get('sagas')
  listSagas(@Query() query: unknown): Promise<AdminSagaListJson> {
    return this.requests.listSagas(query);
  }

  @Get('sagas/:id')
  showSaga(@Param('id') id: string): Promise<AdminSagaDetailJson> {
    return this.requests.showSaga(id);
  }

  @Post('sagas/:id/retry')
  @HttpCode(202)
  retrySaga(@Param('id') id: string, @Headers() headers: Headers, @Body() body: unknown): Promise<AdminSagaActionJson> {
    return this.requests.retrySaga(headers['idempotency-key'], id, body);
  }

  @Post('sagas/:id/resolve')
  @HttpCode(200)
  resolveSaga(@Param('id') id: string, @Headers() headers: Headers, @Body() body: unknown): Promise<AdminSagaActionJson> {
    return this.requests.resolveSaga(headers['idempotency-key'], id, body);
  }

  @Get('dead-letters')
  deadLetters(@Query() query: unknown): Promise<AdminDeadLettersJson> {
    return this.requests.deadLetters(query);
  }

  @Post('dead-letters/reprocess')
  @HttpCode(202)
  reprocessDeadLetters(@Headers() headers: Headers, @Body() body: unknown): Promise<AdminDeadLettersJson> {
    return this.requests.reprocessDeadLetters(headers['idempotency-key'], body);
  }
}
