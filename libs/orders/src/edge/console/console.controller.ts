import { Controller, Get, Header, Redirect } from '@nestjs/common';
import { OmsMetrics } from '@oms/observability';

/**
 * The console's server side beside its static assets: /console -> /console/ (the page's asset URLs
 * resolve under the prefix), and the process's own Prometheus exposition on the REST listener for
 * the live view (the ops port, OMS_METRICS_ADDR, is usually not reachable from an operator's browser).
 */
@Controller('console')
export class ConsoleController {
  constructor(private readonly metrics: OmsMetrics) {}

  @Get()
  @Redirect('/console/', 301)
  page(): { url: string } {
    return { url: '/console/' };
  }

  @Get('api/metrics')
  @Header('content-type', 'text/plain; version=0.0.4; charset=utf-8')
  @Header('cache-control', 'no-store')
  exposition(): Promise<string> {
    return this.metrics.registry.metrics();
  }
}
