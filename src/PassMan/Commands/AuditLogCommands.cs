using System;
using System.Management.Automation;
using PassMan.Commands.Hosting;
using PassMan.Model;

namespace PassMan.Commands;

/// <summary>
/// <para type="synopsis">Reads the vault's audit log: who changed what, when, from which machine.</para>
/// </summary>
[Cmdlet(VerbsCommon.Get, "PMAuditLog")]
[OutputType(typeof(AuditEntry))]
public sealed class GetPMAuditLogCommand : PassManCmdlet
{
    /// <summary>Only entries about targets that match this wildcard pattern.</summary>
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(TargetNameCompleter))]
    public string? Target { get; set; }

    /// <summary>Only entries about user names that match this wildcard pattern.</summary>
    [Parameter(Position = 1, ValueFromPipelineByPropertyName = true)]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(UserNameCompleter))]
    public string? UserName { get; set; }

    /// <summary>Only entries whose action matches this wildcard pattern, such as Account*.</summary>
    [Parameter]
    [SupportsWildcards]
    public string? Action { get; set; }

    /// <summary>Only entries after this time.</summary>
    [Parameter]
    public DateTime? After { get; set; }

    /// <summary>Only entries before this time.</summary>
    [Parameter]
    public DateTime? Before { get; set; }

    /// <summary>Only the last this many entries that match.</summary>
    [Parameter]
    public int? Last { get; set; }

    /// <inheritdoc/>
    protected override void ProcessRecord() => Run(() =>
        WriteObject(
            ResolveVault().GetAuditLog(Target, UserName, Action, Utc(After), Utc(Before), Last),
            enumerateCollection: true));

    /// <summary>A time as the user typed it: local unless it says otherwise.</summary>
    private static DateTimeOffset? Utc(DateTime? time) => time switch
    {
        null => null,
        { Kind: DateTimeKind.Utc } utc => new DateTimeOffset(utc),
        var local => new DateTimeOffset(local.Value.ToUniversalTime()),
    };
}

/// <summary>
/// <para type="synopsis">Verifies the audit log's MAC chain and reports the first entry where it breaks.</para>
/// </summary>
[Cmdlet(VerbsDiagnostic.Test, "PMAuditLog")]
[OutputType(typeof(AuditVerification), typeof(bool))]
public sealed class TestPMAuditLogCommand : PassManCmdlet
{
    /// <summary>Writes only $true or $false.</summary>
    [Parameter]
    public SwitchParameter Quiet { get; set; }

    /// <inheritdoc/>
    protected override void ProcessRecord() => Run(() =>
    {
        var verification = ResolveVault().VerifyAuditLog();
        WriteVerbose($"Checked {verification.EntryCount} audit entries.");
        WriteObject(Quiet ? verification.IsValid : verification);
    });
}
