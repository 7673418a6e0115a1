import {
  boolean,
  decimal,
  dialAddress,
  dialAddressList,
  cidrList,
  duration,
  integer,
  listenAddress,
  oneOf,
  pem,
  postgresDsn,
  size,
  text,
} from './config.parsers';

describe('duration', () => {
  it.each([
    ['0', 0],
    ['50ms', 50],
    ['10s', 10_000],
    ['10m', 600_000],
    ['1h', 3_600_000],
    ['1h30m', 5_400_000],
    ['1.5s', 1_500],
    ['2000us', 2],
    [' 24h ', 86_400_000],
  ])('parses %j as %d ms', (raw, expected) => {
    expect(duration(raw)).toBe(expected);
  });

  it.each(['', '10', '-1s', '10 s', '1d', 'ms', '5sec', '1.5ms', '10s5'])('refuses %j', (raw) => {
    expect(() => duration(raw)).toThrow(/duration|milliseconds/);
  });
});

describe('size', () => {
  it.each([
    ['1048576', 1_048_576],
    ['512kb', 524_288],
    ['1mb', 1_048_576],
    ['1MB', 1_048_576],
    ['2gb', 2 * 1024 ** 3],
    ['10b', 10],
  ])('parses %j as %d bytes', (raw, expected) => {
    expect(size(raw)).toBe(expected);
  });

  it.each(['', 'mb', '1.5mb', '-1kb', '1tb', 'lots'])('refuses %j', (raw) => {
    expect(() => size(raw)).toThrow(/size/);
  });
});

describe('listenAddress', () => {
  it('reads :port as all interfaces', () => {
    expect(listenAddress(':8080')).toEqual({ host: '0.0.0.0', port: 8080 });
  });

  it('reads host:port, bracketed IPv6 and port 0', () => {
    expect(listenAddress('127.0.0.1:9090')).toEqual({ host: '127.0.0.1', port: 9090 });
    expect(listenAddress('[::1]:50051')).toEqual({ host: '::1', port: 50051 });
    expect(listenAddress(':0')).toEqual({ host: '0.0.0.0', port: 0 });
  });

  it.each(['8080', ':', ':65536', 'host:http', '::1:80', ':-1'])('refuses %j', (raw) => {
    expect(() => listenAddress(raw)).toThrow(/port|host:port/);
  });
});

describe('dialAddress and dialAddressList', () => {
  it('needs a host and a non-zero port', () => {
    expect(dialAddress('inventory:50061')).toBe('inventory:50061');
    expect(() => dialAddress(':50061')).toThrow(/with a host/);
    expect(() => dialAddress('inventory:0')).toThrow(/port 1\.\.65535/);
  });

  it('splits, trims and checks every broker', () => {
    expect(dialAddressList('kafka-0:9092, kafka-1:9092,')).toEqual(['kafka-0:9092', 'kafka-1:9092']);
    expect(() => dialAddressList('kafka-0:9092,kafka-1')).toThrow(/entry "kafka-1"/);
    expect(() => dialAddressList(' , ')).toThrow(/at least one/);
  });
});

describe('boolean', () => {
  it.each([
    ['true', true],
    ['TRUE', true],
    ['1', true],
    ['false', false],
    ['0', false],
  ])('parses %j', (raw, expected) => {
    expect(boolean(raw)).toBe(expected);
  });

  it.each(['yes', '2', 'on', ''])('refuses %j', (raw) => {
    expect(() => boolean(raw)).toThrow('must be true, false, 1 or 0');
  });
});

describe('oneOf', () => {
  const driver = oneOf(['memory', 'postgres']);
  it('accepts a listed word and refuses others naming the choices', () => {
    expect(driver('postgres')).toBe('postgres');
    expect(() => driver('mysql')).toThrow('must be one of memory, postgres');
    expect(() => driver('Postgres')).toThrow('must be one of');
  });
});

describe('integer and decimal', () => {
  it('enforces integer ranges', () => {
    expect(integer(1, 10)('10')).toBe(10);
    expect(() => integer(1, 10)('11')).toThrow('must be an integer 1..10');
    expect(() => integer(1, 10)('0')).toThrow('must be an integer 1..10');
    expect(() => integer(1)('1.5')).toThrow('must be an integer >= 1');
    expect(() => integer(0)('1e3')).toThrow('must be an integer >= 0');
  });

  it('enforces decimal ranges', () => {
    expect(decimal(0, 1)('0.25')).toBe(0.25);
    expect(() => decimal(0, 1)('1.5')).toThrow('must be a number 0..1');
    expect(() => decimal(0, 1)('abc')).toThrow('must be a number 0..1');
  });
});

describe('text, postgresDsn and pem', () => {
  it('refuses blank text', () => {
    expect(text(' oms ')).toBe('oms');
    expect(() => text('  ')).toThrow('must not be empty');
  });

  it('accepts URL and key=value DSNs', () => {
    expect(postgresDsn('postgres://oms:pw@db:5432/oms')).toBe('postgres://oms:pw@db:5432/oms');
    expect(postgresDsn('host=db user=oms dbname=oms')).toBe('host=db user=oms dbname=oms');
    expect(() => postgresDsn('mysql://db')).toThrow(/postgres:\/\/ URL/);
  });

  it('requires a PEM block', () => {
    const cert = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----';
    expect(pem(cert)).toBe(cert);
    expect(() => pem('not a certificate')).toThrow(/PEM/);
  });
});

describe('cidrList', () => {
  it('keeps addresses and ranges of both families; empty is none', () => {
    expect(cidrList(' 10.0.0.0/8, 192.168.1.7,fd00::/8 ,::1')).toEqual(['10.0.0.0/8', '192.168.1.7', 'fd00::/8', '::1']);
    expect(cidrList('')).toEqual([]);
  });

  it.each([
    ['proxy.local', /must be an IP address or a CIDR range/],
    ['10.0.0.0/33', /prefix length outside 0-32/],
    ['fd00::/129', /prefix length outside 0-128/],
    ['10.0.0.0/8/9', /must be an IP address or a CIDR range/],
    ['10.0.0.0/x', /prefix length/],
  ])('refuses %s', (raw, message) => {
    expect(() => cidrList(raw)).toThrow(message);
  });
});
