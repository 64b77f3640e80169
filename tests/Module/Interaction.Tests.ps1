# Prompts in a real console: pwsh runs in a tmux terminal, keys are typed into it and the screen is read.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestSupport.psm1') -Force
    Import-Module (Get-TestModulePath) -Force

    $script:typed = 'typed at the console'

    function Start-Console([string] $Script, [string] $Name) {
        $file = Join-Path $TestDrive "$Name.ps1"
        Set-Content -LiteralPath $file -Value "Import-Module '$(Get-TestModulePath)'`n$Script"
        tmux new-session -d -s $Name -x 160 -y 40 "$(Get-PwshCommandLine) -NoProfile -File '$file'; sleep 60"
        if ($LASTEXITCODE -ne 0) { throw "tmux could not start the console $Name." }
    }

    function Get-Screen([string] $Name) { (tmux capture-pane -p -t $Name) -join "`n" }

    function Wait-Screen([string] $Name, [string] $Pattern, [int] $Count = 1) {
        $deadline = [DateTime]::UtcNow.AddSeconds(30)
        while ([DateTime]::UtcNow -lt $deadline) {
            $screen = Get-Screen $Name
            if ([regex]::Matches($screen, $Pattern).Count -ge $Count) { return $screen }
            Start-Sleep -Milliseconds 100
        }
        throw "The console $Name never showed '$Pattern' $Count time(s). It shows:`n$(Get-Screen $Name)"
    }

    function Send-Line([string] $Name, [string] $Text) {
        tmux send-keys -t $Name -l $Text
        tmux send-keys -t $Name Enter
    }

    function Stop-Console([string] $Name) { tmux kill-session -t $Name 2>$null }
}

Describe 'Prompts' {
    Context 'In an interactive console' {
        It 'asks twice, masked, for a new vault''s passphrase, then once to unlock it' {
            $path = Join-Path $TestDrive 'console.db'
            $done = Join-Path $TestDrive 'console.done'
            Start-Console -Name 'pm-prompt' -Script @"
New-PMVault -Path '$path' -Protection Passphrase | Out-Null
Lock-PMVault
Unlock-PMVault -Path '$path' -PassThru | ForEach-Object { "locked=`$(`$_.IsLocked)" } | Set-Content '$done'
"@
            try {
                $null = Wait-Screen 'pm-prompt' 'Vault passphrase:'
                Send-Line 'pm-prompt' $typed
                $null = Wait-Screen 'pm-prompt' 'Confirm vault passphrase:'
                Send-Line 'pm-prompt' $typed
                $null = Wait-Screen 'pm-prompt' 'Vault passphrase:' -Count 2
                Send-Line 'pm-prompt' $typed
                $deadline = [DateTime]::UtcNow.AddSeconds(30)
                while (-not (Test-Path $done) -and [DateTime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 100 }
                $screen = Get-Screen 'pm-prompt'
            }
            finally {
                Stop-Console 'pm-prompt'
            }

            Get-Content -LiteralPath $done | Should -Be 'locked=False'
            $screen | Should -Not -Match ([regex]::Escape($typed))
            $screen | Should -Match ('\*' * $typed.Length)
        }

        It 'fails with ConfirmationMismatch and creates nothing when the two entries differ' {
            $path = Join-Path $TestDrive 'mismatch.db'
            $done = Join-Path $TestDrive 'mismatch.done'
            Start-Console -Name 'pm-mismatch' -Script @"
try { New-PMVault -Path '$path' -Protection Passphrase -ErrorAction Stop }
catch { `$_.FullyQualifiedErrorId | Set-Content '$done' }
"@
            try {
                $null = Wait-Screen 'pm-mismatch' 'Vault passphrase:'
                Send-Line 'pm-mismatch' $typed
                $null = Wait-Screen 'pm-mismatch' 'Confirm vault passphrase:'
                Send-Line 'pm-mismatch' "$typed, but not quite"
                $deadline = [DateTime]::UtcNow.AddSeconds(30)
                while (-not (Test-Path $done) -and [DateTime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 100 }
            }
            finally {
                Stop-Console 'pm-mismatch'
            }

            Get-Content -LiteralPath $done | Should -Be 'ConfirmationMismatch,PassMan.Commands.NewPMVaultCommand'
            Test-Path $path | Should -BeFalse
        }
    }

    Context 'Reset-PMCredential in an interactive console' {
        It 'asks twice, masked, for a new password, and refuses entries that differ' {
            $path = Join-Path $TestDrive 'reset.db'
            $done = Join-Path $TestDrive 'reset.done'
            Start-Console -Name 'pm-reset' -Script @"
`$null = New-PMVault -Path '$path'
`$null = New-PMTarget web01 web01.example.test
`$null = New-PMAccount web01 alice -Password (ConvertTo-SecureString 'Start-Value-1' -AsPlainText -Force)
try { Reset-PMCredential web01 alice -ChangeOnTarget:`$false -Force -ErrorAction Stop }
catch { 'first: ' + `$_.FullyQualifiedErrorId | Set-Content '$done' }
Reset-PMCredential web01 alice -ChangeOnTarget:`$false -Force
'second: ' + (Get-PMCredential web01 alice).GetNetworkCredential().Password | Add-Content '$done'
"@
            try {
                $null = Wait-Screen 'pm-reset' 'New password for web01 / alice:'
                Send-Line 'pm-reset' $typed
                $null = Wait-Screen 'pm-reset' 'Confirm new password for web01 / alice:'
                Send-Line 'pm-reset' 'something else'
                $null = Wait-Screen 'pm-reset' 'New password for web01 / alice:' -Count 2
                Send-Line 'pm-reset' $typed
                $null = Wait-Screen 'pm-reset' 'Confirm new password for web01 / alice:' -Count 2
                Send-Line 'pm-reset' $typed
                $deadline = [DateTime]::UtcNow.AddSeconds(30)
                while (@(Get-Content -LiteralPath $done -ErrorAction SilentlyContinue).Count -lt 2 -and
                    [DateTime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 100 }
                $screen = Get-Screen 'pm-reset'
            }
            finally {
                Stop-Console 'pm-reset'
            }

            Get-Content -LiteralPath $done |
                Should -Be 'first: ConfirmationMismatch,PassMan.Commands.ResetPMCredentialCommand', "second: $typed"
            $screen | Should -Not -Match ([regex]::Escape($typed))
        }
    }

    Context 'In a session that cannot prompt' {
        It 'fails with InteractiveInputRequired in pwsh -NonInteractive' {
            $path = Join-Path $TestDrive 'batch.db'
            $null = New-PMVault -Path $path -Passphrase (ConvertTo-TestSecureString 'correct horse battery staple')

            $result = Invoke-Pwsh -Command @"
Import-Module '$(Get-TestModulePath)'
try { Unlock-PMVault -Path '$path' -ErrorAction Stop } catch { `$_.FullyQualifiedErrorId; `$_.Exception.Message }
"@

            $result.Output | Should -Match 'InteractiveInputRequired,PassMan.Commands.UnlockPMVaultCommand'
            $result.Output | Should -Match 'needs -Passphrase'
        }

        It 'fails with InteractiveInputRequired in a runspace without a host' {
            $path = Join-Path $TestDrive 'hostless.db'
            $null = New-PMVault -Path $path -Passphrase (ConvertTo-TestSecureString 'correct horse battery staple')

            $result = Invoke-InNewRunspace -ScriptBlock { param($path) Unlock-PMVault -Path $path } -ArgumentList $path

            Get-ErrorId $result.Errors[0] | Should -Be 'InteractiveInputRequired'
        }
    }
}
