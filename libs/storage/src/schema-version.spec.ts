import { compareSchema, describeSchemaVersion, schemaServes } from './schema-version';
import { SchemaWatch } from './schema-watch';

const BUILD = [{ name: 'A1' }, { name: 'B2' }, { name: 'C3' }];

describe('compareSchema', () => {
  it('is current when exactly the migrations of the build are applied', () => {
    const version = compareSchema(BUILD, ['A1', 'B2', 'C3'], new Map());
    expect(version).toEqual({ state: 'current', applied: 3 });
    expect(schemaServes(version)).toBe(true);
    expect(describeSchemaVersion(version)).toBeUndefined();
  });

  it('is behind, naming every missing migration and the command, on an empty database', () => {
    const version = compareSchema(BUILD, [], new Map());
    expect(version).toEqual({ state: 'behind', missing: ['A1', 'B2', 'C3'], unknown: [] });
    expect(schemaServes(version)).toBe(false);
    expect(describeSchemaVersion(version)).toMatch(/^database schema is behind this build: 3 migration\(s\) not applied \(A1, B2, C3\); .*run "migrator migrate up"/);
  });

  it('is behind when one in the middle was never applied', () => {
    expect(compareSchema(BUILD, ['A1', 'C3'], new Map())).toEqual({ state: 'behind', missing: ['B2'], unknown: [] });
  });

  it('is ahead after a rollback of the app, and serves only when every newer migration is marked compatible', () => {
    const compatible = compareSchema(BUILD, ['A1', 'B2', 'C3', 'D4', 'E5'], new Map([['D4', true], ['E5', true]]));
    expect(compatible).toEqual({
      state: 'ahead',
      unknown: [
        { name: 'D4', backwardCompatible: true },
        { name: 'E5', backwardCompatible: true },
      ],
    });
    expect(schemaServes(compatible)).toBe(true);
    expect(describeSchemaVersion(compatible)).toMatch(/ahead of this build by 2 migration\(s\) \(D4, E5\), all marked backward compatible: serving/);

    // No record of a flag counts as not compatible: the app cannot know what the migration did.
    const incompatible = compareSchema(BUILD, ['A1', 'B2', 'C3', 'D4', 'E5'], new Map([['D4', true]]));
    expect(schemaServes(incompatible)).toBe(false);
    expect(describeSchemaVersion(incompatible)).toMatch(/not marked backward compatible: E5\. Not serving/);
  });
});

describe('SchemaWatch', () => {
  function watchOf(versions: Parameters<typeof compareSchema>[1][]) {
    const lines: string[] = [];
    let call = 0;
    const watch = new SchemaWatch(
      async () => compareSchema(BUILD, versions[Math.min(call++, versions.length - 1)] ?? [], new Map()),
      { log: (line) => lines.push(`info ${line}`), warn: (line) => lines.push(`warn ${line}`) },
    );
    return { watch, lines };
  }

  it('logs a schema that is behind once however often it is probed, then once when it became current', async () => {
    const { watch, lines } = watchOf([[], [], [], ['A1', 'B2', 'C3'], ['A1', 'B2', 'C3']]);
    for (let i = 0; i < 3; i++) expect((await watch.readiness()).up).toBe(false);
    expect(await watch.readiness()).toEqual({ up: true, details: { state: 'current' } });
    await watch.readiness();

    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^warn database schema is behind this build: 3 migration\(s\) not applied \(A1, B2, C3\)/);
    expect(lines[1]).toBe('info database schema is current (3 migrations): serving');
  });

  it('logs a start on an empty database once while migrate up applies the migrations one by one', async () => {
    const { watch, lines } = watchOf([[], ['A1'], ['A1', 'B2'], ['A1', 'B2', 'C3']]);
    for (let i = 0; i < 4; i++) await watch.check();

    expect(lines.map((line) => line.split(':')[0])).toEqual(['warn database schema is behind this build', 'info database schema is current (3 migrations)']);
  });

  it('logs again when another newer migration appears ahead', async () => {
    const versions = [
      ['A1', 'B2', 'C3', 'D4'],
      ['A1', 'B2', 'C3', 'D4'],
      ['A1', 'B2', 'C3', 'D4', 'E5'],
    ];
    const { watch, lines } = watchOf(versions);
    for (let i = 0; i < 3; i++) await watch.check();
    expect(lines).toHaveLength(2);
    expect(lines[1]).toContain('(D4, E5)');
  });

  it('says nothing about a schema that is current from the start', async () => {
    const { watch, lines } = watchOf([['A1', 'B2', 'C3']]);
    await watch.check();
    expect(lines).toEqual([]);
  });

  it('waits until the schema serves, without a restart', async () => {
    const { watch } = watchOf([[], ['A1'], ['A1', 'B2', 'C3']]);
    await expect(watch.untilServing(1)).resolves.toBeUndefined();
    expect((await watch.check()).state).toBe('current');
  });

  it('stops waiting on shutdown', async () => {
    const { watch } = watchOf([[]]);
    let stopped = false;
    const waiting = watch.untilServing(1, () => stopped);
    stopped = true;
    await expect(waiting).resolves.toBeUndefined();
    expect((await watch.check()).state).toBe('behind');
  });
});
