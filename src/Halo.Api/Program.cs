using Halo.Api.Data;
using Halo.Api.Features.Health;
using Halo.Api.Features.Incidents;
using Halo.Api.Features.Media;
using Halo.Api.Features.Moderation;
using Halo.Api.Features.Reports;
using Halo.Api.Infrastructure;

// Halo's API host. Read it as a table of contents: each feature registers its services and maps its routes.
var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.Services.AddHaloData(builder.Configuration);
builder.AddIncidents();
builder.AddReports();
builder.AddMedia();

var app = builder.Build();

if (Cli.IsCommand(args)) return await Cli.RunAsync(app, args);

await DataRegistration.MigrateAsync(app.Services, force: false);

app.UseServiceDefaults();
app.MapHealth();
app.MapIncidents();
app.MapReports();
app.MapMedia();
app.MapModeration();

await app.RunAsync();
return 0;

public partial class Program;
