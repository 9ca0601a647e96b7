import { describe, expect, test } from 'vitest';
import { tc3Authorization } from './auth.ts';

describe('TC3-HMAC-SHA256', () => {
  test("Tencent Cloud's worked example (cvm DescribeInstances at 1551113065) gives the documented signature", () => {
    expect(
      tc3Authorization({
        secretId: 'AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE',
        secretKey: 'Gu5t9xGARNpq86cd98joQYCN3EXAMPLE',
        service: 'cvm',
        host: 'cvm.tencentcloudapi.com',
        contentType: 'application/json; charset=utf-8',
        payload: '{"Limit": 1, "Filters": [{"Values": ["\\u672a\\u547d\\u540d"], "Name": "instance-name"}]}',
        timestamp: 1551113065,
      }),
    ).toBe(
      'TC3-HMAC-SHA256 Credential=AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE/2019-02-25/cvm/tc3_request, SignedHeaders=content-type;host, Signature=72e494ea809ad7a8c8f7a4507b9bddcbaa8e581f516e8da2f66e2c5a96525168',
    );
  });

  test('the credential date is the UTC date of the timestamp (00:44 in UTC+8 is still the 25th)', () => {
    const at = (timestamp: number) =>
      tc3Authorization({
        secretId: 'id',
        secretKey: 'key',
        service: 'hunyuan',
        host: 'hunyuan.tencentcloudapi.com',
        contentType: 'application/json',
        payload: '{}',
        timestamp,
      });
    expect(at(1551113065)).toContain('Credential=id/2019-02-25/hunyuan/tc3_request');
    expect(at(1551139199)).toContain('/2019-02-25/');
    expect(at(1551139200)).toContain('/2019-02-26/');
  });
});
