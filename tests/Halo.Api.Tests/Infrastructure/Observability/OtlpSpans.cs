using System.Text;

namespace Halo.Api.Tests.Infrastructure.Observability;

/// <summary>
/// The spans in an OTLP/protobuf trace export (TracesData → ResourceSpans → ScopeSpans → Span), read with just enough
/// of the protobuf wire format to check which library made each span, its trace, its name and its string attributes.
/// </summary>
public sealed record OtlpSpan(string Service, string Scope, byte[] TraceId, string Name, IReadOnlyDictionary<string, string> Attributes)
{
    public static IReadOnlyList<OtlpSpan> Parse(byte[] tracesData)
    {
        var spans = new List<OtlpSpan>();
        foreach (var resourceSpans in Fields(tracesData, 1))
        {
            var service = Fields(resourceSpans, 1).SelectMany(r => StringAttributes(r, 1)).FirstOrDefault(kv => kv.Key == "service.name").Value ?? "";
            foreach (var scopeSpans in Fields(resourceSpans, 2))
            {
                var scope = Fields(scopeSpans, 1).SelectMany(s => Fields(s, 1)).Select(Text).FirstOrDefault() ?? "";
                foreach (var span in Fields(scopeSpans, 2))
                {
                    var attributes = StringAttributes(span, 9).ToDictionary();
                    spans.Add(new OtlpSpan(service, scope, Fields(span, 1).FirstOrDefault() ?? [], Fields(span, 5).Select(Text).FirstOrDefault() ?? "", attributes));
                }
            }
        }
        return spans;
    }

    /// <summary>The string-valued attributes: the KeyValue list in field <paramref name="field"/> (a Span's 9, a Resource's 1).</summary>
    private static IEnumerable<KeyValuePair<string, string>> StringAttributes(byte[] message, int field)
    {
        foreach (var kv in Fields(message, field))
        {
            var key = Fields(kv, 1).Select(Text).FirstOrDefault();
            var value = Fields(kv, 2).SelectMany(v => Fields(v, 1)).Select(Text).FirstOrDefault();
            if (key is not null && value is not null) yield return new(key, value);
        }
    }

    private static string Text(byte[] bytes) => Encoding.UTF8.GetString(bytes);

    /// <summary>The length-delimited fields numbered <paramref name="field"/> in one message; other fields are skipped.</summary>
    private static List<byte[]> Fields(byte[] message, int field)
    {
        var found = new List<byte[]>();
        var at = 0;
        while (at < message.Length)
        {
            var tag = Varint(message, ref at);
            switch ((int)(tag & 7))
            {
                case 0: Varint(message, ref at); break;
                case 1: at += 8; break;
                case 5: at += 4; break;
                case 2:
                    var length = (int)Varint(message, ref at);
                    if ((int)(tag >> 3) == field) found.Add(message[at..(at + length)]);
                    at += length;
                    break;
                default: throw new FormatException($"Wire type {tag & 7} is not used by OTLP.");
            }
        }
        return found;
    }

    private static ulong Varint(byte[] message, ref int at)
    {
        ulong value = 0;
        for (var shift = 0; ; shift += 7)
        {
            var b = message[at++];
            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80) return value;
        }
    }
}
