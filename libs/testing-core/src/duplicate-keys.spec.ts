import { duplicateKeys } from './duplicate-keys';

describe('duplicateKeys', () => {
  it('names a key given twice in one object, at any depth, and nothing else', () => {
    expect(duplicateKeys('{"service":"orders","service":"orders","msg":"m"}')).toEqual(['service']);
    expect(duplicateKeys('{"a":{"b":1,"b":2},"c":[{"d":1},{"d":2}],"e":"\\"e\\":1,"}')).toEqual(['b']);
    expect(duplicateKeys('{"a":{"x":1},"b":{"x":1},"s":"{\\"a\\":1}","list":["a","a"]}')).toEqual([]);
  });
});
