using Crossfade.Core.Config;
using Crossfade.Contracts.V1;

namespace Crossfade.Agent.Steps;

/// <summary>Collects the output of a running step, stamped with the time each line was seen.</summary>
public sealed class StepLog(TimeProvider time)
{
    private readonly List<StepLogLine> _pending = [];
    private readonly List<string> _tail = [];
    private readonly Lock _lock = new();
    private Redactor _redactor = Redactor.None;

    /// <summary>From now on, every line written has these secret values masked.</summary>
    public void Redact(Redactor redactor)
    {
        lock (_lock)
            _redactor = redactor;
    }

    public void Write(string line)
    {
        lock (_lock)
        {
            line = _redactor.Apply(line);
            _pending.Add(new StepLogLine(time.GetUtcNow(), line));
            _tail.Add(line);
            if (_tail.Count > 20)
                _tail.RemoveAt(0);
        }
    }

    /// <summary>Takes the lines not sent yet.</summary>
    public IReadOnlyList<StepLogLine> Drain()
    {
        lock (_lock)
        {
            var lines = _pending.ToList();
            _pending.Clear();
            return lines;
        }
    }

    /// <summary>The last lines, for a failure message.</summary>
    public string Tail(int count)
    {
        lock (_lock)
            return string.Join(" | ", _tail.TakeLast(count));
    }
}
