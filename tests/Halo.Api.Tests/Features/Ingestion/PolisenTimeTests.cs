using Halo.Api.Features.Ingestion.Polisen;

namespace Halo.Api.Tests.Features.Ingestion;

public class PolisenTimeTests
{
    [Theory]
    // Real `datetime` values from the shared data: zero-padded and not.
    [InlineData("2022-09-26 15:55:23 +02:00", "2022-09-26T13:55:23Z")]
    [InlineData("2024-07-01 6:17:27 +02:00", "2024-07-01T04:17:27Z")]
    [InlineData("2024-12-31 9:48:52 +01:00", "2024-12-31T08:48:52Z")]
    [InlineData("2024-01-01 0:40:16 +01:00", "2023-12-31T23:40:16Z")]
    [InlineData("2023-03-26 03:05:00 +02:00", "2023-03-26T01:05:00Z")]
    public void ParsesPublicationTimeWithOrWithoutZeroPaddedHours(string datetime, string expectedUtc)
    {
        Assert.True(PolisenTime.TryParsePublished(datetime, out var utc));
        Assert.Equal(DateTimeKind.Utc, utc.Kind);
        Assert.Equal(DateTime.Parse(expectedUtc, null, System.Globalization.DateTimeStyles.AdjustToUniversal), utc);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("igår")]
    [InlineData("2024-13-01 10:00:00 +01:00")]
    [InlineData("2024-07-01 6:17:27")]
    public void RejectsUnreadablePublicationTime(string? datetime) =>
        Assert.False(PolisenTime.TryParsePublished(datetime, out _));

    [Theory]
    // Real (name, datetime) pairs from the shared data.
    [InlineData("26 september 14:21, Mord/dråp, försök, Stockholm", "2022-09-26 15:55:23 +02:00", "2022-09-26T12:21:00Z")]
    [InlineData("01 juli 03.17, Brand, Torsås", "2024-07-01 6:17:27 +02:00", "2024-07-01T01:17:00Z")]
    // Year wrap: an event on New Year's Eve published on 1 January belongs to the previous year.
    [InlineData("31 december 00.07, Brand, Nacka", "2024-01-01 0:40:16 +01:00", "2023-12-30T23:07:00Z")]
    // Winter time (+01:00) and single-digit hours.
    [InlineData("3 januari 9.05, Trafikolycka, Umeå", "2024-01-03 10:12:00 +01:00", "2024-01-03T08:05:00Z")]
    [InlineData("28 september 20:24, Mord/dråp, försök, Haninge", "2022-09-28 21:20:00 +02:00", "2022-09-28T18:24:00Z")]
    // Published in December about an event in early January cannot be next year's by more than days: the nearest wins.
    [InlineData("02 januari 10.00, Stöld, Malmö", "2023-12-31 12:00:00 +01:00", "2024-01-02T09:00:00Z")]
    // Spring-forward gap (02:30 does not exist on 2024-03-31 in Stockholm): read as 03:30 CEST.
    [InlineData("31 mars 02.30, Brand, Lund", "2024-03-31 08:00:00 +02:00", "2024-03-31T01:30:00Z")]
    public void ReadsEventTimeFromTitleInStockholmTime(string name, string published, string expectedUtc)
    {
        Assert.True(PolisenTime.TryParsePublished(published, out var pub));
        Assert.True(PolisenTime.TryParseEventTime(name, pub, out var utc));
        Assert.Equal(DateTimeKind.Utc, utc.Kind);
        Assert.Equal(DateTime.Parse(expectedUtc, null, System.Globalization.DateTimeStyles.AdjustToUniversal), utc);
    }

    [Theory]
    [InlineData("Sammanfattning natt, Stockholm")]
    [InlineData("32 januari 10.00, Brand, Lund")]
    [InlineData("10 smarch 10.00, Brand, Lund")]
    [InlineData("10 januari 25.00, Brand, Lund")]
    [InlineData("30 februari 10.00, Brand, Lund")]
    public void RejectsTitlesWithoutAValidEventTime(string name) =>
        Assert.False(PolisenTime.TryParseEventTime(name, new DateTime(2024, 3, 1, 0, 0, 0, DateTimeKind.Utc), out _));

    [Fact]
    public void EveryRealEventTimeLiesWithinDaysOfItsPublication()
    {
        var far = new List<string>();
        foreach (var e in SharedData.PolisenEvents)
        {
            Assert.True(PolisenTime.TryParsePublished(e.GetProperty("datetime").GetString(), out var pub));
            var name = e.GetProperty("name").GetString();
            Assert.True(PolisenTime.TryParseEventTime(name, pub, out var occurred), name);
            var delta = pub - occurred;
            // Real titles are sometimes a day or two off (typos, late write-ups); a wrong year would be ~365 days off.
            if (delta < TimeSpan.FromDays(-5) || delta > TimeSpan.FromDays(10)) far.Add($"{name} / {pub:O}");
        }
        Assert.True(far.Count == 0, string.Join("\n", far.Take(20)));
    }
}
