using System.CommandLine;
using Crossfade.Cli;
using Crossfade.Commands;

var root = new RootCommand("Crossfade: continuous delivery to plain Linux hosts, with zero dropped requests")
{
    Globals.Server,
    Globals.Token,
    ProcessCommands.Server(),
    ProcessCommands.AgentCommand(),
    ProcessCommands.Proxy(),
    ClientCommands.Apply(),
    ClientCommands.Release(),
    ClientCommands.Deploy(),
    ClientCommands.Rollback(),
    ClientCommands.Promote(),
    ClientCommands.PromoteRelease(),
    BuildCommands.Build(),
    BuildCommands.Builds(),
    BuildCommands.Webhook(),
    ClientCommands.Abort(),
    ConfigCommands.Converge(),
    ConfigCommands.Secret(),
    EventsCommand.Create(),
    TelemetryCommands.Requests(),
    TelemetryCommands.Search(),
    TelemetryCommands.NewRoutes(),
    TrafficCommand.Create(),
    JudgeRecordCommand.Create(),
    ReadCommands.Status(),
    ReadCommands.History(),
    ReadCommands.Show(),
    ReadCommands.Logs(),
    ReadCommands.Hosts(),
    ReadCommands.Token(),
    AuditCommand.Create(),
    NoticesCommand.Create(),
    FreezeCommands.Create(),
    ScheduleCommands.Create(),
    DashboardCommand.Create(),
    DemoCommand.Create(),
};
return await root.Parse(args).InvokeAsync();
