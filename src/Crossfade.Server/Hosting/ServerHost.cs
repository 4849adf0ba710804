using Crossfade.Server.Agents;
using Crossfade.Server.Api;
using Crossfade.Server.Auth;
using Crossfade.Server.Config;
using Crossfade.Server.Deploys;
using Crossfade.Server.Events;
using Crossfade.Server.Releases;
using Crossfade.Server.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Crossfade.Server.Hosting;

/// <summary>Composes the control plane: store, API, agent API, orchestrator.</summary>
public static class ServerHost
{
    public static async Task<WebApplication> BuildAsync(ServerOptions options, TimeProvider? time = null)
    {
        options.Validate();
        Directory.CreateDirectory(options.DataDir);
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls(options.Urls);
        builder.WebHost.UseKestrelHttpsConfiguration();
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Limits.MaxRequestBodySize = JsonBody.MaxBytes;
            // Every https address presents the server's certificate as it stands (renewed files take effect for new connections).
            k.ConfigureHttpsDefaults(https => https.ServerCertificateSelector = (_, _) => k.ApplicationServices.GetRequiredService<Tls.ServerCertificates>().Current);
        });
        builder.Logging.SetMinimumLevel(LogLevel.Warning).AddFilter("Crossfade", LogLevel.Information);
        var clock = time ?? TimeProvider.System;
        var store = new SqliteStore(Path.Combine(options.DataDir, "crossfade.db"));
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton(clock);
        if (Tls.ListenUrl.AnyHttps(options.Urls))
            builder.Services.AddSingleton<Tls.ServerCertificates>();
        builder.Services.AddSingleton<IStore>(store);
        builder.Services.AddSingleton(new ArtifactStore(options.DataDir));
        builder.Services.AddSingleton<ReleaseUpload>();
        builder.Services.AddSingleton<Binaries.AgentBinaries>();
        builder.Services.AddSingleton<WorkSignals>();
        builder.Services.AddSingleton<Judging.EvidenceReader>();
        builder.Services.AddSingleton<Judging.TrafficForecast>();
        builder.Services.AddSingleton<DeployServices>();
        builder.Services.AddSingleton<DeployRunner>();
        builder.Services.AddSingleton<DeployGate>();
        builder.Services.AddSingleton<DeployService>();
        builder.Services.AddDataProtection()
            .SetApplicationName("crossfade")
            .PersistKeysToFileSystem(KeyRing.Folder(options.DataDir));
        builder.Services.AddSingleton<SecretVault>();
        builder.Services.AddSingleton<ConfigService>();
        builder.Services.AddSingleton<Timeline>();
        builder.Services.AddSingleton<DeployEvents>();
        builder.Services.AddSingleton<Telemetry.AppSpecs>();
        builder.Services.AddSingleton<Telemetry.IngestService>();
        builder.Services.AddSingleton(options.Telemetry);
        builder.Services.AddSingleton<Telemetry.TelemetryRetention>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<Telemetry.TelemetryRetention>());
        builder.Services.AddSingleton<Telemetry.ErrorSpikeDetector>();
        builder.Services.AddSingleton<Telemetry.FingerprintSpikeDetector>();
        builder.Services.AddSingleton<Telemetry.Exporters>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<Telemetry.Exporters>());
        builder.Services.AddHostedService<DeployRecovery>();
        builder.Services.AddSingleton<Schedules.DeployScheduler>();
        builder.Services.AddSingleton<Builds.BuildRunner>();
        builder.Services.AddSingleton<Builds.BuilderBoard>();
        builder.Services.AddSingleton<Builds.BuilderRunner>();
        builder.Services.AddSingleton<Builds.BuildWorker>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<Builds.BuildWorker>());
        builder.Services.AddSingleton<Builds.BuildService>();
        builder.Services.AddSingleton<Hooks.HookSecrets>();
        builder.Services.AddSingleton<Hooks.HookReaders>();
        builder.Services.AddSingleton<Notifications.NoticeComposer>();
        builder.Services.AddSingleton<Notifications.Notifier>();
        builder.Services.AddSingleton<Notifications.NoticeDelivery>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<Notifications.NoticeDelivery>());
        builder.Services.AddHostedService(sp => sp.GetRequiredService<Schedules.DeployScheduler>());
        builder.Services.AddRazorComponents();
        builder.Services.AddAntiforgery(o => o.Cookie.Name = "crossfade_antiforgery");
        builder.Services.AddSingleton<Dashboard.Sessions.DashboardSessions>();
        builder.Services.AddSingleton<Dashboard.Sessions.SignInCodes>();
        builder.Services.AddSingleton<Dashboard.Live.FragmentRenderer>();
        builder.Services.AddSingleton<Audit.AuditLog>();
        // Every refusal the API answers with a problem gives its audit record the reason.
        builder.Services.AddProblemDetails(o => o.CustomizeProblemDetails = c =>
        {
            if (c.HttpContext.Features.Get<Audit.AuditNotes>() is { } notes && notes.Reason is null)
                notes.Reason = c.ProblemDetails.Detail;
        });
        builder.Services.AddOpenApi();
        builder.Services.Configure<JsonOptions>(o =>
        {
            foreach (var converter in JsonBody.Options.Converters)
                o.SerializerOptions.Converters.Add(converter);
        });

        await Bootstrap.EnsureAdminTokenAsync(store, options.DataDir, clock);

        var app = builder.Build();
        // Made (or read) now, so a bad certificate file stops the start with its reason, not the first connection.
        app.Services.GetService<Tls.ServerCertificates>();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseMiddleware<TokenAuthentication>();
        app.UseMiddleware<Audit.AuditTrail>();
        app.MapOpenApi("/openapi/{documentName}.json");
        app.MapGet("/healthz", () => Results.Ok(new { status = "ok" }));
        app.MapApps();
        app.MapReleases();
        app.MapDeploys();
        app.MapSecrets();
        app.MapEvents();
        Telemetry.TelemetryEndpoints.MapTelemetry(app);
        app.MapHosts();
        Binaries.Upgrades.MapUpgrades(app);
        app.MapTokens();
        app.MapWhoAmI();
        Binaries.BinariesEndpoints.MapBinaries(app);
        Audit.AuditEndpoints.MapAudit(app);
        Freezes.FreezesEndpoints.MapFreezes(app);
        Schedules.SchedulesEndpoints.MapSchedules(app);
        Builds.BuildsEndpoints.MapBuilds(app);
        Hooks.HookEndpoints.MapHooks(app);
        Notifications.NoticesEndpoints.MapNotices(app);
        app.MapAgentApi();
        Builds.BuilderEndpoints.MapBuilderApi(app);
        Dashboard.DashboardEndpoints.MapDashboard(app);
        return app;
    }
}
