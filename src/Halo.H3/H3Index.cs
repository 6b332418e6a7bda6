using System.Globalization;

namespace Halo.H3;

/// <summary>
/// A 64-bit H3 index (upstream <c>H3Index</c>). Formatted as the usual lower-case hex string,
/// 15 digits for cells (e.g. <c>8928308280fffff</c>).
/// </summary>
/// <param name="Value">The raw 64-bit index.</param>
public readonly record struct H3Index(ulong Value) : IComparable<H3Index>, ISpanFormattable
{
    /// <summary>The null index (upstream <c>H3_NULL</c>).</summary>
    public static readonly H3Index Null;

    /// <summary>Resolution 0–15 (upstream <c>getResolution</c>).</summary>
    public int Resolution => Internal.IndexOps.GetResolution(Value);

    /// <summary>Base cell number 0–121 (upstream <c>getBaseCellNumber</c>).</summary>
    public int BaseCellNumber => Internal.IndexOps.GetBaseCell(Value);

    /// <summary>Whether this is a valid cell index (upstream <c>isValidCell</c>).</summary>
    public bool IsValidCell => Internal.IndexOps.IsValidCell(Value);

    /// <summary>Whether this cell is one of the 12 pentagons at its resolution (upstream <c>isPentagon</c>).</summary>
    public bool IsPentagon => Internal.IndexOps.IsPentagon(Value);

    /// <summary>Parses a hex string as upstream <c>stringToH3</c> does (an optional <c>0x</c> prefix is accepted).</summary>
    /// <param name="s">The hex string.</param>
    /// <returns>The index.</returns>
    /// <exception cref="FormatException">The string is not hexadecimal.</exception>
    public static H3Index Parse(ReadOnlySpan<char> s) =>
        TryParse(s, out H3Index h) ? h : throw new FormatException($"'{s}' is not an H3 index.");

    /// <summary>Tries to parse a hex string.</summary>
    /// <param name="s">The hex string.</param>
    /// <param name="index">The parsed index, or <see cref="Null"/>.</param>
    /// <returns>Whether parsing succeeded.</returns>
    public static bool TryParse(ReadOnlySpan<char> s, out H3Index index)
    {
        s = s.Trim();
        if (s.StartsWith("0x", StringComparison.OrdinalIgnoreCase)) s = s[2..];
        if (s.Length is > 0 and <= 16 && ulong.TryParse(s, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out ulong v))
        {
            index = new H3Index(v);
            return true;
        }
        index = Null;
        return false;
    }

    /// <summary>Formats as lower-case hex (upstream <c>h3ToString</c>).</summary>
    /// <returns>The hex string.</returns>
    public override string ToString() => Value.ToString("x", CultureInfo.InvariantCulture);

    /// <inheritdoc />
    public string ToString(string? format, IFormatProvider? formatProvider) => ToString();

    /// <inheritdoc />
    public bool TryFormat(Span<char> destination, out int charsWritten, ReadOnlySpan<char> format, IFormatProvider? provider) =>
        Value.TryFormat(destination, out charsWritten, "x", CultureInfo.InvariantCulture);

    /// <inheritdoc />
    public int CompareTo(H3Index other) => Value.CompareTo(other.Value);

    /// <summary>Converts to the raw value.</summary>
    /// <param name="h">The index.</param>
    public static implicit operator ulong(H3Index h) => h.Value;

    /// <summary>Wraps a raw value.</summary>
    /// <param name="v">The raw value.</param>
    public static explicit operator H3Index(ulong v) => new(v);

    /// <summary>Wraps a raw value.</summary>
    /// <param name="v">The raw value.</param>
    /// <returns>The index.</returns>
    public static H3Index FromUInt64(ulong v) => new(v);

    /// <summary>Compares by raw value.</summary>
    /// <param name="left">Left operand.</param>
    /// <param name="right">Right operand.</param>
    public static bool operator <(H3Index left, H3Index right) => left.Value < right.Value;

    /// <summary>Compares by raw value.</summary>
    /// <param name="left">Left operand.</param>
    /// <param name="right">Right operand.</param>
    public static bool operator >(H3Index left, H3Index right) => left.Value > right.Value;

    /// <summary>Compares by raw value.</summary>
    /// <param name="left">Left operand.</param>
    /// <param name="right">Right operand.</param>
    public static bool operator <=(H3Index left, H3Index right) => left.Value <= right.Value;

    /// <summary>Compares by raw value.</summary>
    /// <param name="left">Left operand.</param>
    /// <param name="right">Right operand.</param>
    public static bool operator >=(H3Index left, H3Index right) => left.Value >= right.Value;
}
