BeforeDiscovery {
    Import-Module (Join-Path $PSScriptRoot 'TestSupport.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot '../../tools/HelpCompiler.psm1') -Force
    $manifest = Import-PowerShellDataFile (Join-Path (Get-TestModulePath) 'PassMan.psd1')
    $script:cmdletNames = $manifest.CmdletsToExport
    $docs = Join-Path $PSScriptRoot '../../docs/en-US'
    $script:helpPages = foreach ($name in $cmdletNames) {
        $page = ConvertFrom-HelpMarkdown -Path (Join-Path $docs "$name.md")
        @{ Name = $name; Page = $page }
    }
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestSupport.psm1') -Force
    Import-Module (Get-TestModulePath) -Force
    $script:manifestPath = Join-Path (Get-TestModulePath) 'PassMan.psd1'
    $script:manifest = Import-PowerShellDataFile $manifestPath

    # The examples that reach a target use this one: a real sshd with the users the pages name,
    # whose passwords go back to these before each page.
    Import-Module (Join-Path $PSScriptRoot '../Targets/SshTargets.psm1') -Force
    $script:exampleTarget = Start-SshTarget
    $script:exampleUsers = [ordered]@{
        admin = 'Admin-Example-Passw0rd'; alice = 'Alice-Example-Passw0rd'; bob = 'Bob-Example-Passw0rd'
    }
    foreach ($user in $exampleUsers.Keys) {
        $sudo = if ($user -eq 'admin') { 'Password' } else { 'None' }
        $null = New-SshTargetUser $exampleTarget $user $exampleUsers[$user] -Sudo $sudo
    }

    function Get-ExampleTargetScript {
        $lines = ($exampleUsers.Keys | ForEach-Object { "${_}:$($exampleUsers[$_])" }) -join "`n"
        $null = Invoke-SshTarget $exampleTarget 'chpasswd' -InputText "$lines`n"
        $passwords = ($exampleUsers.Keys | ForEach-Object {
                $name = (Get-Culture).TextInfo.ToTitleCase($_) + 'Password'
                "$name = ConvertTo-SecureString '$($exampleUsers[$_])' -AsPlainText -Force"
            }) -join '; '
        "`$ExampleTarget = [pscustomobject]@{ HostName = '$($exampleTarget.Address)'; " +
            "Port = $($exampleTarget.Port); KnownHostsPath = '$($exampleTarget.KnownHostsPath)'; $passwords }"
    }
}

AfterAll {
    Stop-SshTarget -All
}

Describe 'The PassMan module' {
    Context 'Loading' {
        It 'imports in a fresh pwsh without warnings or errors' {
            $import = "Import-Module '$(Get-TestModulePath)' -WarningVariable w -ErrorAction Stop"
            $result = Invoke-Pwsh -Command "$import; if (`$w) { `$w; exit 2 }; 'loaded'"

            $result.Output.Trim() | Should -Be 'loaded'
            $result.ExitCode | Should -Be 0
        }

        It 'is imported from a folder whose path contains a space' {
            (Get-Module PassMan).ModuleBase | Should -Match ' '
        }

        It 'loads the native SQLite library from the module folder' {
            $folder = Join-Path $TestDrive 'native check'
            $info = New-PMVault -Path (Join-Path $folder 'vault.db')

            $info.FormatVersion | Should -BeGreaterThan 0
            $maps = Get-Content "/proc/$PID/maps" | Where-Object { $_ -match 'libe_sqlite3' }
            $maps | Should -Not -BeNullOrEmpty
            $maps[0] | Should -BeLike "*$((Get-Module PassMan).ModuleBase)*"
        }

        It 'keeps the engine and SQLite in a load context of their own' {
            $vaultType = (Get-PMVault).GetType()
            $context = [System.Runtime.Loader.AssemblyLoadContext]::GetLoadContext($vaultType.Assembly)

            $context.Name | Should -Be 'PassMan'
            $sqlite = $context.Assemblies | Where-Object { $_.GetName().Name -eq 'Microsoft.Data.Sqlite' }
            $sqlite | Should -Not -BeNullOrEmpty
            [System.Runtime.Loader.AssemblyLoadContext]::Default.Assemblies.GetName().Name |
                Should -Not -Contain 'Microsoft.Data.Sqlite'
        }

        It 'has one version, the manifest''s, in every assembly' {
            $version = [version]$manifest.ModuleVersion
            $module = Get-Module PassMan
            $assemblies = @(
                (Join-Path $module.ModuleBase 'PassMan.dll')
                (Join-Path $module.ModuleBase 'PassMan.Loader.dll')
                (Join-Path $module.ModuleBase 'lib/PassMan.Engine.dll')
            )

            foreach ($assembly in $assemblies) {
                [System.Reflection.AssemblyName]::GetAssemblyName($assembly).Version.ToString(3) |
                    Should -Be $version.ToString(3) -Because $assembly
            }
        }
    }

    Context 'Manifest' {
        It 'lists exactly the cmdlets the module exports' {
            $exported = (Get-Module PassMan).ExportedCmdlets.Keys | Sort-Object

            $exported | Should -Be ($manifest.CmdletsToExport | Sort-Object)
        }

        It 'exports no functions, aliases or variables' {
            $manifest.FunctionsToExport | Should -BeNullOrEmpty
            $manifest.AliasesToExport | Should -BeNullOrEmpty
            $manifest.VariablesToExport | Should -BeNullOrEmpty
            $manifest.FunctionsToExport -is [array] | Should -BeTrue
        }

        It 'passes Test-ModuleManifest' {
            { Test-ModuleManifest -Path $manifestPath -ErrorAction Stop } | Should -Not -Throw
        }
    }

    Context 'Cmdlet <_>' -ForEach $cmdletNames {
        BeforeAll {
            $name = $_
            $command = Get-Command $name -Module PassMan
            $help = Get-Help $name -Full
        }

        It 'uses an approved verb and the PM noun prefix' {
            (Get-Verb).Verb | Should -Contain $command.Verb
            $command.Noun | Should -BeLike 'PM*'
        }

        It 'declares its output type' {
            $command.OutputType | Should -Not -BeNullOrEmpty
        }

        It 'has a default view for each PassMan type it writes' {
            foreach ($type in $command.OutputType.Name | Where-Object { $_ -like 'PassMan.*' }) {
                Get-FormatData -TypeName $type | Should -Not -BeNullOrEmpty -Because "$type needs a view"
            }
        }

        It 'has a synopsis' {
            $help.Synopsis | Should -Not -BeNullOrEmpty
            $help.Synopsis | Should -Not -BeLike "*$name *[<CommonParameters>]*"
        }

        It 'has a description' {
            ($help.description.Text -join '') | Should -Not -BeNullOrEmpty
        }

        It 'describes every parameter' {
            $common = [System.Management.Automation.Cmdlet]::CommonParameters
            $parameters = $command.Parameters.Keys | Where-Object { $_ -notin $common }
            foreach ($parameter in $parameters) {
                $entry = $help.parameters.parameter | Where-Object name -EQ $parameter
                ($entry.description.Text -join '') |
                    Should -Not -BeNullOrEmpty -Because "-$parameter needs a description"
            }
        }

        It 'has at least one example' {
            @($help.examples.example).Count | Should -BeGreaterOrEqual 1
            $help.examples.example[0].code | Should -Not -BeNullOrEmpty
        }
    }

    Context 'The examples of <Name> run' -ForEach $helpPages {
        It 'runs every example on a throwaway vault without an error' {
            $folder = Join-Path $TestDrive "examples of $Name"
            $null = New-Item -ItemType Directory -Path $folder
            $script = @"
Set-Location -LiteralPath '$folder'
`$env:PASSMAN_VAULT = Join-Path '$folder' 'vault.db'
function Read-Host {
    param([string] `$Prompt, [switch] `$AsSecureString)
    ConvertTo-SecureString 'example passphrase' -AsPlainText -Force
}
`$ConfirmPreference = 'None'
$(Get-ExampleTargetScript)
$($Page.Setup)
$(($Page.Examples | ForEach-Object { $_.Code }) -join [Environment]::NewLine)
"@
            $saved = $env:PASSMAN_VAULT
            try {
                $result = Invoke-InNewRunspace -ScriptBlock ([scriptblock]::Create($script))
            }
            finally {
                $env:PASSMAN_VAULT = $saved
            }

            $result.Errors | Should -BeNullOrEmpty
        }
    }
}

Describe 'about_PassMan' {
    It 'is shown by Get-Help' {
        $text = Get-Help about_PassMan | Out-String

        $text | Should -Match 'PASSMAN_VAULT'
        $text | Should -Match 'InteractiveInputRequired'
    }
}
