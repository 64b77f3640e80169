# Shared by the Pester files: where the module under test is, and small helpers.

Set-StrictMode -Version Latest

function Get-TestModulePath {
    if (-not $env:PASSMAN_TEST_MODULE) {
        throw 'PASSMAN_TEST_MODULE is not set; run the tests through ./build.ps1 Test.'
    }
    $env:PASSMAN_TEST_MODULE
}

function ConvertTo-TestSecureString([string] $Text) {
    ConvertTo-SecureString -String $Text -AsPlainText -Force
}

function Get-ErrorId([System.Management.Automation.ErrorRecord] $ErrorRecord) {
    # The stable id is the part of FullyQualifiedErrorId before the command name.
    ($ErrorRecord.FullyQualifiedErrorId -split ',')[0]
}

function Invoke-InNewRunspace {
    <#
    .SYNOPSIS
    Runs a script in a new runspace of this process, with PassMan imported and no vault opened yet.
    Returns its output, errors and warnings.
    #>
    param(
        [Parameter(Mandatory)] [scriptblock] $ScriptBlock,
        [object[]] $ArgumentList = @()
    )

    $shell = [powershell]::Create()
    try {
        $null = $shell.AddCommand('Import-Module').AddParameter('Name', (Get-TestModulePath)).AddStatement()
        $null = $shell.AddScript($ScriptBlock.ToString())
        foreach ($argument in $ArgumentList) { $null = $shell.AddArgument($argument) }
        $output = $shell.Invoke()
        [pscustomobject]@{
            Output   = @($output)
            Errors   = @($shell.Streams.Error)
            Warnings = @($shell.Streams.Warning)
        }
    }
    finally {
        $shell.Dispose()
    }
}

function Invoke-Pwsh {
    <#
    .SYNOPSIS
    Runs a script in a fresh pwsh process (the one running the tests), -NonInteractive unless told.
    #>
    param(
        [Parameter(Mandatory)] [string] $Command,
        [switch] $Interactive
    )

    $pwsh = [Environment]::ProcessPath
    $prefix = @()
    if ([IO.Path]::GetFileNameWithoutExtension($pwsh) -eq 'dotnet') { $prefix = @(Join-Path $PSHOME 'pwsh.dll') }
    $switches = if ($Interactive) { @('-NoProfile') } else { @('-NoProfile', '-NonInteractive') }
    $output = & $pwsh @prefix @switches -Command $Command 2>&1
    [pscustomobject]@{ ExitCode = $LASTEXITCODE; Output = ($output | Out-String) }
}

function Get-PwshCommandLine {
    # The command line that starts this pwsh, quoted for a POSIX shell.
    $pwsh = [Environment]::ProcessPath
    $parts = @($pwsh)
    if ([IO.Path]::GetFileNameWithoutExtension($pwsh) -eq 'dotnet') { $parts += Join-Path $PSHOME 'pwsh.dll' }
    ($parts | ForEach-Object { "'$_'" }) -join ' '
}

function Invoke-VaultSql {
    <#
    .SYNOPSIS
    Runs SQL on a vault file behind PassMan's back, through the SQLite library PassMan loaded, and
    returns the rows as text: for tampering, and for dumps that show a command changed nothing.
    #>
    param(
        [Parameter(Mandatory)] [string] $Path,
        [Parameter(Mandatory)] [string] $Sql
    )

    $engine = [PassMan.Commands.PassManCmdlet].Assembly.GetReferencedAssemblies() | Out-Null
    $context = [System.Runtime.Loader.AssemblyLoadContext]::All | Where-Object Name -EQ 'PassMan'
    $sqlite = $context.Assemblies | Where-Object { $_.GetName().Name -eq 'Microsoft.Data.Sqlite' }
    $connection = [Activator]::CreateInstance(
        $sqlite.GetType('Microsoft.Data.Sqlite.SqliteConnection'), "Data Source=$Path;Pooling=False")
    try {
        $connection.Open()
        $command = $connection.CreateCommand()
        $command.CommandText = $Sql
        $reader = $command.ExecuteReader()
        $rows = while ($reader.Read()) {
            (0..($reader.FieldCount - 1) | ForEach-Object {
                $value = $reader.GetValue($_)
                if ($value -is [byte[]]) { [Convert]::ToBase64String($value) } else { [string]$value }
            }) -join '|'
        }
        $reader.Dispose()
        $rows
    }
    finally {
        $connection.Dispose()
    }
}

Export-ModuleMember -Function *
