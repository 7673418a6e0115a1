import { ForbiddenException, Inject, Injectable, UnauthorizedException, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { OMS_CONFIG, type OmsConfig } from '@oms/config';
import { createHash, timingSafeEqual } from 'node:crypto';

interface AuthRequest {
  readonly headers: Record<string, string | string[] | undefined>;
}

interface HeaderReply {
  header(name: string, value: string): unknown;
}

const digest = (value: string): Buffer => createHash('sha256').update(value, 'utf8').digest();
const BEARER = /^Bearer +(\S+) *$/i;

/**
 * Bearer authentication of the admin API against OMS_ADMIN_TOKEN. No token -> 401 (with
 * `WWW-Authenticate: Bearer`), another token -> 403. The comparison runs on SHA-256 digests with
 * timingSafeEqual: equal lengths whatever was sent, and no early exit that times the match.
 * Neither token is ever put into an error or a log line.
 */
@Injectable()
export class AdminTokenGuard implements CanActivate {
  private readonly expected: Buffer | undefined;

  constructor(@Inject(OMS_CONFIG) config: OmsConfig) {
    this.expected = config.admin.token === undefined ? undefined : digest(config.admin.token);
  }

  canActivate(context: ExecutionContext): boolean {
    const http = context.switchToHttp();
    const header = http.getRequest<AuthRequest>().headers['authorization'];
    const given = typeof header === 'string' ? BEARER.exec(header)?.[1] : undefined;
    if (given === undefined) {
      http.getResponse<HeaderReply>().header('www-authenticate', 'Bearer realm="oms-admin"');
      throw new UnauthorizedException('Send the admin token as Authorization: Bearer <token>.');
    }
    // The module mounts this controller only with a token configured; without one, refuse everything.
    if (this.expected === undefined || !timingSafeEqual(digest(given), this.expected)) {
      throw new ForbiddenException('This token does not grant access to the admin API.');
    }
    return true;
  }
}
