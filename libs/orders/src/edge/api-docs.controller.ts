import { Controller, Get, Header, NotFoundException, Param, Res } from '@nestjs/common';
import { OPENAPI_DOCUMENT } from '@oms/contracts';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

/** Swagger UI files served from the installed swagger-ui-dist package (no CDN: the cluster may be offline). */
const ASSETS: Readonly<Record<string, string>> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'application/javascript; charset=utf-8',
  'swagger-ui-standalone-preset.js': 'application/javascript; charset=utf-8',
  'favicon-32x32.png': 'image/png',
};

const INITIALIZER = `window.onload = function () {
  window.ui = SwaggerUIBundle({
    url: '/openapi.json',
    dom_id: '#swagger-ui',
    deepLinking: true,
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
    layout: 'StandaloneLayout',
  });
};
`;

const PAGE = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>OMS Order API</title>
  <link rel="stylesheet" href="/docs/swagger-ui.css">
  <link rel="icon" type="image/png" href="/docs/favicon-32x32.png">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="/docs/swagger-ui-bundle.js"></script>
  <script src="/docs/swagger-ui-standalone-preset.js"></script>
  <script src="/docs/docs-init.js"></script>
</body>
</html>
`;

interface AssetReply {
  header(name: string, value: string): AssetReply;
  send(body: Buffer | string): unknown;
}

@Controller()
export class ApiDocsController {
  private readonly cache = new Map<string, Buffer>();

  @Get('openapi.json')
  openapi(): typeof OPENAPI_DOCUMENT {
    return OPENAPI_DOCUMENT;
  }

  @Get('docs')
  @Header('content-type', 'text/html; charset=utf-8')
  page(): string {
    return PAGE;
  }

  @Get('docs/docs-init.js')
  @Header('content-type', 'application/javascript; charset=utf-8')
  initializer(): string {
    return INITIALIZER;
  }

  @Get('docs/:asset')
  async asset(@Param('asset') name: string, @Res() reply: AssetReply): Promise<void> {
    const contentType = Object.prototype.hasOwnProperty.call(ASSETS, name) ? ASSETS[name] : undefined;
    if (!contentType) throw new NotFoundException();
    let content = this.cache.get(name);
    if (!content) {
      content = await readFile(join(dirname(require.resolve('swagger-ui-dist/package.json')), name));
      this.cache.set(name, content);
    }
    reply.header('content-type', contentType).header('cache-control', 'public, max-age=86400').send(content);
  }
}
