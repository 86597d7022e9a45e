import {
  decideWarnings,
  deviceName,
  dHash,
  exifInstant,
  fromSigned64,
  hammingDistance,
  haversineKm,
  toSigned64,
  WarningFacts,
} from './evidence-checks';

describe('hammingDistance', () => {
  it.each([
    [0n, 0n, 0],
    [0n, 1n, 1],
    [0b1011n, 0b0110n, 3],
    [0xffffffffffffffffn, 0n, 64],
    [0x8000000000000000n, 0n, 1],
    [0xf0f0f0f0f0f0f0f0n, 0x0f0f0f0f0f0f0f0fn, 64],
    [0x0123456789abcdefn, 0x0123456789abcdeen, 1],
  ])('%s vs %s differ in %i bits', (a, b, d) => {
    expect(hammingDistance(a, b)).toBe(d);
  });
});

describe('dHash', () => {
  const rows = (row: number[]) => Uint8Array.from(Array.from({ length: 8 }, () => row).flat());
  it.each([
    ['brighter to the left everywhere', rows([9, 8, 7, 6, 5, 4, 3, 2, 1]), 0xffffffffffffffffn],
    ['brighter to the right everywhere', rows([1, 2, 3, 4, 5, 6, 7, 8, 9]), 0n],
    ['flat', rows([5, 5, 5, 5, 5, 5, 5, 5, 5]), 0n],
    ['only the first comparison of each row', rows([9, 1, 2, 3, 4, 5, 6, 7, 8]), 0x8080808080808080n],
  ])('%s', (_name, pixels, hash) => {
    expect(dHash(pixels)).toBe(hash);
  });

  it('refuses a picture of another size', () => {
    expect(() => dHash(new Uint8Array(64))).toThrow(RangeError);
  });
});

describe('signed hashes', () => {
  it('round-trips through the signed bigint of the database', () => {
    for (const h of [0n, 1n, 0x7fffffffffffffffn, 0x8000000000000000n, 0xffffffffffffffffn]) {
      expect(fromSigned64(toSigned64(h).toString())).toBe(h);
    }
    expect(toSigned64(0xffffffffffffffffn)).toBe(-1n);
  });
});

describe('exifInstant and deviceName', () => {
  it.each([
    ['2026:11:03 09:30:00', undefined, 'Asia/Shanghai', '2026-11-03T01:30:00.000Z'],
    ['2026:11:03 09:30:00', '+09:00', 'Asia/Shanghai', '2026-11-03T00:30:00.000Z'],
    ['2026:11:03 09:30:00', undefined, 'UTC', '2026-11-03T09:30:00.000Z'],
    ['0000:00:00 00:00:00', undefined, 'UTC', undefined],
    [undefined, undefined, 'UTC', undefined],
  ])('%s %s in %s', (raw, offset, zone, iso) => {
    expect(exifInstant(raw, offset, zone)?.toISOString()).toBe(iso);
  });

  it.each([
    ['HUAWEI', 'HUAWEI Mate 60', 'HUAWEI Mate 60'],
    ['Xiaomi', '23127PN0CC', 'Xiaomi 23127PN0CC'],
    [undefined, 'iPhone 15', 'iPhone 15'],
    ['  ', undefined, undefined],
  ])('%s + %s = %s', (make, model, name) => {
    expect(deviceName(make, model)).toBe(name);
  });
});

describe('decideWarnings', () => {
  const since = new Date('2026-11-01T02:00:00Z');
  const a = { id: 'a', code: '中厂镇-2026-0001', unitName: '中厂镇第一社区' };
  const b = { id: 'b', code: '中厂镇-2026-0002', unitName: '中厂镇第二社区' };
  const here = { takenAt: '2026-11-05T02:00:00Z' };
  const village = { unitName: '中厂镇第一社区', lat: 29.99, lon: 109.48 };
  const base: WarningFacts = { isPhoto: true, exif: { takenAt: '2026-11-05T02:00:00Z' }, sameFile: [], lookAlike: [], ticketSince: since };
  it.each<[string, Partial<WarningFacts>, string[]]>([
    ['a fresh photo taken after the ticket', {}, []],
    ['the same file on another ticket', { sameFile: [a] }, ['duplicate']],
    ['a look-alike on another ticket', { lookAlike: [b] }, ['near_duplicate']],
    ['the same file is not also a look-alike of the same ticket', { sameFile: [a], lookAlike: [a] }, ['duplicate']],
    ['same file and a look-alike elsewhere', { sameFile: [a], lookAlike: [a, b] }, ['duplicate', 'near_duplicate']],
    ['no capture time', { exif: {} }, ['no_capture_time']],
    ['no EXIF at all', { exif: undefined }, ['no_capture_time']],
    ['taken before the ticket', { exif: { takenAt: '2026-10-31T02:00:00Z' } }, ['taken_before_ticket']],
    ['taken at the very moment', { exif: { takenAt: since.toISOString() } }, []],
    ['a PDF is not asked for a capture time', { isPhoto: false, exif: undefined }, []],
    ['taken at the village', { exif: { ...here, lat: 29.99, lon: 109.48 }, place: village, farKm: 5 }, []],
    ['taken 4.4 km away, within 5', { exif: { ...here, lat: 29.99, lon: 109.526 }, place: village, farKm: 5 }, []],
    ['taken 5.6 km away, beyond 5', { exif: { ...here, lat: 29.99, lon: 109.538 }, place: village, farKm: 5 }, ['far_from_unit']],
    ['taken in the county seat, 60 km away', { exif: { ...here, lat: 29.45, lon: 109.4 }, place: village }, ['far_from_unit']],
    ['a photo without GPS is not judged by distance', { exif: here, place: village }, []],
    ['a unit without a location judges no distance', { exif: { ...here, lat: 39.9, lon: 116.4 } }, []],
    [
      'far and before the ticket',
      { exif: { takenAt: '2026-10-31T02:00:00Z', lat: 29.45, lon: 109.4 }, place: village },
      ['taken_before_ticket', 'far_from_unit'],
    ],
  ])('%s', (_name, facts, codes) => {
    expect(decideWarnings({ ...base, ...facts }).map((w) => w.code)).toEqual(codes);
  });

  it('names the other ticket and its village', () => {
    const [w] = decideWarnings({ ...base, sameFile: [a] });
    expect(w.message).toContain('中厂镇-2026-0001');
    expect(w.message).toContain('中厂镇第一社区');
    expect(w.ticketIds).toEqual(['a']);
  });
});

describe('haversineKm', () => {
  it.each<[string, [number, number], [number, number], number, number]>([
    ['the same point', [29.99, 109.48], [29.99, 109.48], 0, 0.0001],
    ['one degree along a meridian', [0, 0], [1, 0], 111.195, 0.001],
    ['one degree along the equator', [0, 120], [0, 121], 111.195, 0.001],
    ['one degree of longitude at 30° N (shorter by cos 30°)', [30, 109], [30, 110], 96.297, 0.01],
    ['the equator to the pole', [0, 0], [90, 0], 10007.557, 0.01],
    ['antipodes', [0, 0], [0, 180], 20015.114, 0.01],
    ['across the date line', [0, 179.5], [0, -179.5], 111.195, 0.001],
    ['Beijing to Shanghai', [39.9042, 116.4074], [31.2304, 121.4737], 1068, 5],
    ['a village to its township seat, about 3 km', [29.99, 109.48], [29.965, 109.49], 2.95, 0.05],
  ])('%s', (_name, [aLat, aLon], [bLat, bLon], km, tolerance) => {
    const d = haversineKm({ lat: aLat, lon: aLon }, { lat: bLat, lon: bLon });
    expect(Math.abs(d - km)).toBeLessThanOrEqual(tolerance);
    expect(haversineKm({ lat: bLat, lon: bLon }, { lat: aLat, lon: aLon })).toBeCloseTo(d, 9);
  });
});

describe('far_from_unit', () => {
  it('says how far and from which unit', () => {
    const [w] = decideWarnings({
      isPhoto: true,
      exif: { takenAt: '2026-11-05T02:00:00Z', lat: 29.45, lon: 109.4 },
      sameFile: [],
      lookAlike: [],
      ticketSince: new Date('2026-11-01T02:00:00Z'),
      place: { unitName: '中厂镇', lat: 29.99, lon: 109.48 },
      farKm: 5,
    });
    expect(w.code).toBe('far_from_unit');
    expect(w.message).toBe('照片拍摄地点距中厂镇约 61 公里，超过 5 公里');
    expect(w.distanceKm).toBeCloseTo(60.5, 0);
  });
});
