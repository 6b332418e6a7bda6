using Halo.Api.Data;
using Halo.Api.Features.Alerts;
using Halo.Api.Features.Auth;
using Halo.Api.Features.Backups;
using Halo.Api.Features.Classification;
using Halo.Api.Features.Health;
using Halo.Api.Features.Incidents;
using Halo.Api.Features.Ingestion;
using Halo.Api.Features.Live;
using Halo.Api.Features.Media;
using Halo.Api.Features.Moderation;
using Halo.Api.Features.Reports;
using Halo.Api.Features.Predictions;
using Halo.Api.Features.Predictions.Eval;
using Halo.Api.Features.Push;
using Halo.Api.Features.Training;
using Halo.Api.Infrastructure;
using Halo.Api.Infrastructure.Observability;
using Halo.Api.Infrastructure.RateLimiting;

// Halo's API host. Read it as a table of contents: each feature registers its services and maps its routes.
// A command (dotnet run -- NAME …) gives the host only the settings on its line; help and usage errors need no host.
var invocation = Program.Commands.Invocation(args);
if ((invocation.IsCommand || invocation.Error is not null) && Program.Commands.AnswerWithoutHost(invocation) is { } answered) return answered;
var builder = WebApplication.CreateBuilder(invocation.HostArgs);
// The app's files come from the referenced Halo.Web project: in a build they are read where they lie, after publish from wwwroot.
builder.WebHost.UseStaticWebAssets();

builder.MapDeprecatedSettings();
builder.UseDefaultUrls();
builder.AddServiceDefaults();
builder.AddObservability();
builder.AddHardening();
builder.AddMapDataCompression();
builder.Services.AddHaloData(builder.Configuration);
builder.AddAuth();
builder.AddHaloRateLimiting();
builder.AddIncidents();
builder.AddIngestion();
builder.AddClassification();
builder.AddReports();
builder.AddMedia();
builder.AddPredictions();
builder.AddTraining();
builder.AddLive();
builder.AddAlerts();
builder.AddPush();
builder.AddHealth();
builder.AddBackups();

var app = builder.Build();

// A command needs only the secrets its own work reads (none today); the server needs every one.
if (invocation.IsCommand) return await Program.Commands.RunAsync(app, invocation);
app.RequireServerSecrets();
await DataRegistration.MigrateAsync(app.Services, force: false);

app.UseForwardedClientAddress();
app.UseObservability();
app.UseServiceDefaults();
app.UseHardening();
app.UseMapDataCompression();
app.UseUnroutedAnswers();
app.UseStrictAuthentication();
app.UseRateLimiter();

app.MapHealth();
app.MapAuth();
app.MapIncidents();
app.MapIngestion();
app.MapClassification();
app.MapReports();
app.MapMedia();
app.MapModeration();
app.MapPredictions();
app.MapTraining();
app.MapLive();
app.MapAlerts();
app.MapPush();
app.MapHaloApp();

await app.RunAsync();
return 0;

public partial class Program
{
    /// <summary>The commands, each built by its feature.</summary>
    public static readonly Cli Commands = new(
    [
        MigrateCommand.Create,
        UsersCommand.Create,
        ImportCommand.Create,
        EvalCommand.Create,
        EvalClassifierCommand.Create,
        ReportRetentionCommand.Create,
        BackupCommands.Backup,
        BackupCommands.Restore,
    ]);
}
