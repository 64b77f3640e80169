// The onboarding baseline: a compiled cmdlet that declares New-PMAccount's parameters with the same
// binding (Target and UserName mandatory, all five bound by property name from the pipeline) and
// does nothing with them but count them. Invoke-Benchmarks.ps1 compiles it with Add-Type before any timed run.
#nullable enable
using System.Management.Automation;
using System.Security;

namespace PassMan.Bench;

[Cmdlet(VerbsCommon.Skip, "BenchAccount")]
public sealed class SkipBenchAccountCommand : PSCmdlet
{
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    public string Target { get; set; } = string.Empty;

    [Parameter(Mandatory = true, Position = 1, ValueFromPipelineByPropertyName = true)]
    public string UserName { get; set; } = string.Empty;

    [Parameter]
    public SecureString? Password { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    public string? Policy { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    public string? ReconcileAccount { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    public string? Description { get; set; }

    /// <summary>How many records reached the cmdlet in this process, for the run to check.</summary>
    public static long Records { get; private set; }

    protected override void ProcessRecord()
    {
        // Nothing else: every row has been parsed and bound by the time this runs, which is the point.
        Records++;
    }
}
