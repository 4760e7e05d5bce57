; Inno Setup 6.3+ script: a per-user Windows installer for the frozen app (no administrator
; rights needed). Build the app first with the spec on Windows, then, from the checkout:
;
;   iscc /DAppVersion=0.1.0 packaging\windows\case-auditor.iss
;
; Output: dist\CaseAuditor-<version>-setup.exe. Written for packaging/ci/github-build.yml;
; NOT yet run on Windows (see packaging/README.md). The user's databases and logs live in
; %LOCALAPPDATA%\CaseAuditor, which neither an upgrade nor an uninstall touches.

#ifndef AppVersion
  #define AppVersion "0+unknown"
#endif

[Setup]
; Never change AppId: Windows recognises upgrades and the uninstaller by it.
AppId={{3C308B01-9940-4D5A-B846-C7DEB1D529CF}
AppName=Case Auditor
AppVersion={#AppVersion}
AppVerName=Case Auditor {#AppVersion}
DefaultDirName={autopf}\Case Auditor
DefaultGroupName=Case Auditor
DisableProgramGroupPage=yes
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=commandline dialog
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
OutputDir=..\..\dist
OutputBaseFilename=CaseAuditor-{#AppVersion}-setup
SetupIconFile=..\..\resources\icons\case-auditor.ico
UninstallDisplayIcon={app}\case-auditor.exe
Compression=lzma2
SolidCompression=yes
WizardStyle=modern
; Code signing (see packaging/README.md): define a sign tool named "signtool" in the Inno
; Setup compiler, then uncomment:
; SignTool=signtool

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[InstallDelete]
; Libraries of an older version must not linger next to the new ones.
Type: filesandordirs; Name: "{app}\_internal"

[Files]
Source: "..\..\dist\case-auditor\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{autoprograms}\Case Auditor"; Filename: "{app}\case-auditor.exe"
Name: "{autodesktop}\Case Auditor"; Filename: "{app}\case-auditor.exe"; Tasks: desktopicon

[Run]
Filename: "{app}\case-auditor.exe"; Description: "{cm:LaunchProgram,Case Auditor}"; Flags: nowait postinstall skipifsilent
