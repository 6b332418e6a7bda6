using System.Net.Http.Json;
using System.Text.Json;
using Halo.Api.Data;
using Halo.Api.Features.Auth;
using Halo.Api.Features.Classification;
using Halo.Api.Features.Incidents;
using Halo.Api.Features.Ingestion;
using Halo.Api.Features.Taxonomy;
using Halo.Api.Tests.Features.Classification;
using Halo.Api.Tests.Features.Ingestion;
using Halo.Api.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Halo.Api.Tests.Features.Taxonomy;

/// <summary>Police types the mapping has never seen (invented names): categorised, flagged, and counted for the operator.</summary>
public sealed class UnknownPolisenTypeTests
{
    [Theory]
    [InlineData("Misshandel, grov, försök", "violence")]
    [InlineData("Stöld ur fordon", "theft")]
    [InlineData("Skottlossning mot bostad", "weapons")]
    [InlineData("Trafikolycka, elsparkcykel", "traffic")]
    [InlineData("Stöld övrigt", "theft")] // the notice "Övrigt" lends nothing
    [InlineData("Rattfyleri", "traffic")] // a misspelling of exactly one known type
    public void ANameClearlyLikeKnownTypesTakesTheirCategory(string type, string category)
    {
        var m = HaloTaxonomy.MapPolisenType(type);

        Assert.Equal((category, CategoryInference.NameSimilarity), (m.Category, m.InferredBy));
        Assert.True(m.IsIncident);
        Assert.False(HaloTaxonomy.IsKnownPolisenType(type));
    }

    [Theory]
    [InlineData("Drönarobservation")]
    [InlineData("Brand och stöld i förråd")] // like two known types of different categories: not clear
    [InlineData("Rån")] // known: the control case
    public void ANameLikeNothingOrLikeTwoCategoriesIsLeftToTheClassifier(string type)
    {
        var m = HaloTaxonomy.MapPolisenType(type);
        if (HaloTaxonomy.IsKnownPolisenType(type))
        {
            Assert.Null(m.InferredBy);
            return;
        }
        Assert.Equal((HaloTaxonomy.Other, CategoryInference.None), (m.Category, m.InferredBy));
        Assert.True(m.IsUnknownType);
    }

    private static readonly JsonSerializerOptions Snake = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    private static string Event(long id, string type, string summary) => JsonSerializer.Serialize(new
    {
        id,
        datetime = "2024-11-30 10:15:00 +01:00",
        name = $"30 november 10:05, {type}, Uppsala",
        summary,
        url = $"/aktuellt/handelser/2024/november/30/{id}/",
        type,
        location = new { name = "Uppsala", gps = "59.858564,17.638927" },
    });

    [Theory]
    [InlineData(DbProvider.Sqlite)]
    [InlineData(DbProvider.Postgres)]
    public async Task UnknownTypesAreCategorisedFlaggedAndCountedByTheIngestionStatus(DbProvider provider)
    {
        await using var police = await FakeHttpServer.StartAsync();
        await using var app = new HaloApiFactory(provider) { UseRealClock = true }
            .With("Ingestion:Polisen:Enabled", "true").With("Ingestion:Polisen:BaseUrl", police.BaseUrl)
            .With("Ingestion:Polisen:StartDelay", "1.00:00:00").With("Ingestion:Polisen:Interval", "1.00:00:00")
            .With("Ingestion:Polisen:MinCallInterval", "00:00:00");
        using var client = await app.CreateClientAsAsync(Roles.Admin);
        const string fireText = "Brand i ett flerfamiljshus, räddningstjänsten är på plats.";

        // No classifier serves yet: a type like nothing known stays 'other', flagged.
        police.Enqueue(FakeHttpServer.Json($"[{Event(1, "Drönarincident", fireText)},{Event(2, "Trafikolycka, elsparkcykel", "En elsparkcykel och en bil har krockat.")},{Event(3, "Brand", fireText)}]"));
        Assert.True((await client.PostAsync("/api/v1/admin/ingestion/trigger", null)).IsSuccessStatusCode);

        // With a classifier, the next event of that type is categorised from its title and summary.
        app.Services.GetRequiredService<ClassifierService>().Serve(ClassifierTrainer.Train(SmallCorpus.Examples(), "unknown-types", ["sdca_maxent"]).Model);
        police.Enqueue(FakeHttpServer.Json($"[{Event(4, "Drönarincident", fireText)}]"));
        Assert.True((await client.PostAsync("/api/v1/admin/ingestion/trigger", null)).IsSuccessStatusCode);

        await using (var scope = app.Scope())
        {
            var rows = await scope.ServiceProvider.GetRequiredService<HaloDbContext>().Incidents.AsNoTracking()
                .Where(i => i.Source == IncidentSources.Polisen).OrderBy(i => i.ExternalId)
                .Select(i => new { i.ExternalId, i.Category, i.CategoryInferredBy, i.IsIncident }).ToListAsync();
            Assert.Equal(
                [("1", "other", CategoryInference.None), ("2", "traffic", CategoryInference.NameSimilarity), ("3", "fire", null), ("4", "fire", CategoryInference.Classifier)],
                rows.Select(r => (r.ExternalId!, r.Category, r.CategoryInferredBy)));
            Assert.All(rows, r => Assert.True(r.IsIncident));
        }

        var status = (await client.GetFromJsonAsync<IngestionStatusDto>("/api/v1/admin/ingestion/status", Snake))!;
        Assert.Equal(3, status.UnknownTypeIncidents);
        Assert.Equal(
            [("Drönarincident", "fire", CategoryInference.Classifier, 1), ("Drönarincident", "other", CategoryInference.None, 1), ("Trafikolycka, elsparkcykel", "traffic", CategoryInference.NameSimilarity, 1)],
            status.UnknownTypes.Select(u => (u.RawType, u.Category, u.InferredBy, u.Incidents)).OrderBy(u => u.RawType, StringComparer.Ordinal).ThenBy(u => u.Category, StringComparer.Ordinal));
    }
}
