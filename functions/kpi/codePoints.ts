/**
 * Unicode code point order of two strings (the order of their UTF-8 bytes, and Athena's ORDER BY of varchar).
 * JavaScript's `<` compares UTF-16 code units instead, which puts U+E000..U+FFFF after the astral characters
 * (surrogate pairs, U+D800..U+DFFF): the first differing unit is shifted so both orders agree.
 */
export function compareCodePoints(a: string, b: string): number {
    const length = Math.min(a.length, b.length);
    for (let i = 0; i < length; i++) {
        const x = a.charCodeAt(i);
        const y = b.charCodeAt(i);
        if (x !== y) return codePointRank(x) - codePointRank(y);
    }
    return a.length - b.length;
}

/** A UTF-16 code unit moved so that surrogates (astral code points) sort after every BMP character. */
function codePointRank(unit: number): number {
    if (unit >= 0xd800 && unit <= 0xdfff) return unit + 0x2000;
    if (unit >= 0xe000) return unit - 0x800;
    return unit;
}
