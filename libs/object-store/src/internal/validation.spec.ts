import { describe, expect, it } from 'vitest';
import {
  InvalidBucketNameError,
  InvalidMetadataError,
  InvalidObjectKeyError,
  InvalidRangeError,
} from '../object-store.errors.js';
import {
  checkBucket,
  checkExpiry,
  checkKey,
  objectHeaders,
  parseHost,
  rangeToOffsetLength,
} from './validation.js';

const where = { bucket: 'b', key: 'k' };

describe('rangeToOffsetLength', () => {
  it('turns an inclusive range into offset and length', () => {
    expect(rangeToOffsetLength({ start: 0, end: 0 }, where)).toEqual({ offset: 0, length: 1 });
    expect(rangeToOffsetLength({ start: 10, end: 19 }, where)).toEqual({ offset: 10, length: 10 });
  });

  it('reads to the end without an end', () => {
    expect(rangeToOffsetLength({ start: 7 }, where)).toEqual({ offset: 7, length: 0 });
  });

  it('rejects negative, fractional and reversed ranges', () => {
    expect(() => rangeToOffsetLength({ start: -1 }, where)).toThrow(InvalidRangeError);
    expect(() => rangeToOffsetLength({ start: 1.5 }, where)).toThrow(InvalidRangeError);
    expect(() => rangeToOffsetLength({ start: 5, end: 4 }, where)).toThrow(InvalidRangeError);
  });
});

describe('objectHeaders', () => {
  it('prefixes metadata and defaults the content type', () => {
    expect(objectHeaders(undefined, { 'build-id': 'b-1' })).toEqual({
      'Content-Type': 'application/octet-stream',
      'X-Amz-Meta-build-id': 'b-1',
    });
  });

  it('rejects keys that would not come back as metadata', () => {
    for (const key of ['Content-Type', 'content-type', 'x-amz-acl', 'has space', 'under_score', '']) {
      expect(() => objectHeaders('a/b', { [key]: 'v' }), key).toThrow(InvalidMetadataError);
    }
  });

  it('rejects values that are not printable ASCII, and oversized metadata', () => {
    expect(() => objectHeaders('a/b', { k: 'naïve' })).toThrow(InvalidMetadataError);
    expect(() => objectHeaders('a/b', { k: 'line\nbreak' })).toThrow(InvalidMetadataError);
    expect(() => objectHeaders('a/b', { k: 'x'.repeat(3_000) })).toThrow(/at most/);
  });
});

describe('names', () => {
  it('accepts S3 bucket names and rejects the rest', () => {
    for (const ok of ['abc', 'my-bucket.v2', 'a'.repeat(63)]) expect(() => checkBucket(ok)).not.toThrow();
    for (const bad of [
      'ab',
      'A-bucket',
      'under_score',
      '-start',
      'end-',
      'a..b',
      '192.168.1.1',
      'a'.repeat(64),
    ]) {
      expect(() => checkBucket(bad), bad).toThrow(InvalidBucketNameError);
    }
  });

  it('accepts keys of 1–1024 bytes', () => {
    expect(() => checkKey('b', 'a/b c/ü')).not.toThrow();
    expect(() => checkKey('b', '')).toThrow(InvalidObjectKeyError);
    expect(() => checkKey('b', 'ü'.repeat(513))).toThrow(InvalidObjectKeyError);
  });

  it('bounds presign expiry to 1 s – 7 days', () => {
    expect(() => checkExpiry(1)).not.toThrow();
    expect(() => checkExpiry(604_800)).not.toThrow();
    expect(() => checkExpiry(0)).toThrow(RangeError);
    expect(() => checkExpiry(604_801)).toThrow(RangeError);
  });
});

describe('parseHost', () => {
  const internal = { endPoint: 'minio', port: 9000, useSSL: false };

  it('takes host:port with the endpoint scheme', () => {
    expect(parseHost('localhost:9000', internal)).toEqual({
      endPoint: 'localhost',
      port: 9000,
      useSSL: false,
    });
    expect(parseHost('s3.example.com', internal)).toEqual({
      endPoint: 's3.example.com',
      port: 80,
      useSSL: false,
    });
  });

  it('takes a URL with its own scheme and default port', () => {
    expect(parseHost('https://s3.example.com', internal)).toEqual({
      endPoint: 's3.example.com',
      port: 443,
      useSSL: true,
    });
    expect(parseHost('http://[::1]:9000', internal)).toEqual({ endPoint: '::1', port: 9000, useSSL: false });
  });

  it('rejects anything but a bare origin', () => {
    expect(() => parseHost('https://s3.example.com/bucket', internal)).toThrow(TypeError);
    expect(() => parseHost('ftp://x', internal)).toThrow(TypeError);
  });
});
