using Crossfade.Server.Agents;
using Crossfade.Server.Config;
using Crossfade.Server.Events;
using Crossfade.Server.Storage;
using Microsoft.Extensions.Logging;

namespace Crossfade.Server.Deploys;

/// <summary>What every running deploy works with: the store, the signals that wake it, the judge's reader, the clock and the options.</summary>
public sealed record DeployServices(
    IStore Store, WorkSignals Signals, ConfigService Config, DeployEvents Events, Judging.EvidenceReader Judge, Judging.TrafficForecast Forecast, TimeProvider Time, ServerOptions Options,
    ILogger<DeployRunner> Logger);
