// Static vocabulary of the modelled health system: hospitals, staff names, imaging modalities and
// the client software seen in its logs. Domains use the reserved `.example` TLD.

export type HospitalSpec = { name: string; code: string; pediatric?: boolean };

export const HOSPITALS: readonly HospitalSpec[] = [
  { name: 'Northbridge General Hospital', code: 'northbridge' },
  { name: 'St. Agnes Medical Center', code: 'stagnes' },
  { name: 'Riverbend Community Hospital', code: 'riverbend' },
  { name: 'Lakeview Regional Medical Center', code: 'lakeview' },
  { name: "Maple Grove Children's Hospital", code: 'maplegrove', pediatric: true },
  { name: 'Harborside Hospital', code: 'harborside' },
  { name: 'Cedar Hills Medical Center', code: 'cedarhills' },
  { name: 'Eastfield Memorial Hospital', code: 'eastfield' },
  { name: 'Summit Valley Hospital', code: 'summitvalley' },
  { name: 'Westbrook Medical Center', code: 'westbrook' },
  { name: 'Pine Ridge Hospital', code: 'pineridge' },
  { name: 'Bayshore Cancer Institute', code: 'bayshore' },
  { name: 'Fairhaven Orthopedic Hospital', code: 'fairhaven' },
  { name: 'Granite Falls Hospital', code: 'granitefalls' },
];

export const HEALTH_SYSTEM_DOMAIN = 'health.example';

export const FIRST_NAMES = [
  'james', 'mary', 'robert', 'patricia', 'john', 'jennifer', 'michael', 'linda', 'david', 'elizabeth',
  'william', 'barbara', 'richard', 'susan', 'joseph', 'jessica', 'thomas', 'sarah', 'charles', 'karen',
  'daniel', 'lisa', 'matthew', 'nancy', 'anthony', 'betty', 'mark', 'sandra', 'steven', 'ashley',
  'paul', 'emily', 'andrew', 'donna', 'joshua', 'michelle', 'kevin', 'carol', 'brian', 'amanda',
  'george', 'melissa', 'timothy', 'deborah', 'ronald', 'stephanie', 'jason', 'rebecca', 'ryan', 'laura',
  'priya', 'wei', 'aisha', 'diego', 'fatima', 'hiroshi', 'olga', 'kwame', 'sofia', 'arjun',
];

export const LAST_NAMES = [
  'smith', 'johnson', 'williams', 'brown', 'jones', 'garcia', 'miller', 'davis', 'rodriguez', 'martinez',
  'hernandez', 'lopez', 'gonzalez', 'wilson', 'anderson', 'thomas', 'taylor', 'moore', 'jackson', 'martin',
  'lee', 'perez', 'thompson', 'white', 'harris', 'sanchez', 'clark', 'ramirez', 'lewis', 'robinson',
  'walker', 'young', 'allen', 'king', 'wright', 'scott', 'torres', 'nguyen', 'hill', 'flores',
  'green', 'adams', 'nelson', 'baker', 'hall', 'rivera', 'campbell', 'mitchell', 'carter', 'roberts',
  'patel', 'chen', 'okafor', 'kowalski', 'haddad', 'tanaka', 'ivanova', 'mensah', 'rossi', 'singh',
];

export type ModalitySpec = {
  code: string;
  weight: number;
  pediatricWeight: number;
  bodyParts: readonly string[];
  /** Total study size range in MB. */
  studyMb: readonly [number, number];
};

export const MODALITIES: readonly ModalitySpec[] = [
  { code: 'CT', weight: 22, pediatricWeight: 8, bodyParts: ['CHEST', 'ABDOMEN', 'HEAD', 'PELVIS', 'SPINE', 'NECK'], studyMb: [200, 900] },
  { code: 'MR', weight: 12, pediatricWeight: 8, bodyParts: ['BRAIN', 'KNEE', 'SPINE', 'SHOULDER', 'PELVIS', 'HEART'], studyMb: [100, 600] },
  { code: 'CR', weight: 18, pediatricWeight: 30, bodyParts: ['CHEST', 'HAND', 'FOOT', 'ANKLE', 'WRIST', 'SKULL'], studyMb: [10, 40] },
  { code: 'DX', weight: 12, pediatricWeight: 18, bodyParts: ['CHEST', 'KNEE', 'HIP', 'ELBOW', 'LSPINE'], studyMb: [15, 60] },
  { code: 'US', weight: 12, pediatricWeight: 22, bodyParts: ['ABDOMEN', 'PELVIS', 'THYROID', 'KIDNEY', 'HEART'], studyMb: [10, 80] },
  { code: 'MG', weight: 10, pediatricWeight: 0, bodyParts: ['BREAST'], studyMb: [100, 200] },
  { code: 'XA', weight: 3, pediatricWeight: 1, bodyParts: ['HEART', 'ABDOMEN', 'HEAD'], studyMb: [50, 300] },
  { code: 'NM', weight: 2, pediatricWeight: 2, bodyParts: ['WHOLEBODY', 'HEART', 'THYROID'], studyMb: [5, 50] },
  { code: 'PT', weight: 3, pediatricWeight: 1, bodyParts: ['WHOLEBODY', 'CHEST', 'BRAIN'], studyMb: [100, 400] },
  { code: 'SM', weight: 6, pediatricWeight: 2, bodyParts: ['BREAST', 'PROSTATE', 'COLON', 'LUNG', 'SKIN'], studyMb: [1000, 3000] },
];

export const USER_AGENTS = {
  browserViewer: [
    'aws-sdk-js/3.654.0 ua/2.1 os/Windows#NT-10.0 lang/js md/browser#Chrome_129.0.0.0 api/medical-imaging#3.654.0',
    'aws-sdk-js/3.654.0 ua/2.1 os/macOS#10.15.7 lang/js md/browser#Safari_18.0 api/medical-imaging#3.654.0',
    'aws-sdk-js/3.670.0 ua/2.1 os/Windows#NT-10.0 lang/js md/browser#Edge_130.0.0.0 api/medical-imaging#3.670.0',
  ],
  desktopS3: [
    'aws-sdk-js/3.654.0 ua/2.1 os/Windows#NT-10.0 lang/js md/nodejs#20.17.0 api/s3#3.654.0',
    'aws-cli/2.18.5 md/awscrt#0.22.0 ua/2.0 os/windows#10 md/arch#amd64 lang/python#3.12.6 md/pyimpl#CPython cfg/retry-mode#standard md/installer#exe md/prompt#off md/command#s3.cp',
  ],
  viewerService: 'aws-sdk-js/3.658.1 ua/2.1 os/linux#5.10.226-214.880.amzn2.x86_64 lang/js md/nodejs#20.17.0 api/s3#3.658.1',
  viewerServiceImaging: 'aws-sdk-js/3.658.1 ua/2.1 os/linux#5.10.226-214.880.amzn2.x86_64 lang/js md/nodejs#20.17.0 api/medical-imaging#3.658.1',
  ingest: 'Boto3/1.35.36 md/Botocore#1.35.36 ua/2.0 os/linux#5.10.226-214.880.amzn2.x86_64 md/arch#x86_64 lang/python#3.12.6 md/pyimpl#CPython cfg/retry-mode#legacy Botocore/1.35.36',
  pacsBridge: 'aws-sdk-java/2.28.16 Linux/5.15.0-122-generic OpenJDK_64-Bit_Server_VM/17.0.12+7 Java/17.0.12 vendor/Eclipse_Adoptium io/sync http/Apache cfg/retry-mode/legacy',
  cli: 'aws-cli/2.18.5 md/awscrt#0.22.0 ua/2.0 os/linux#6.8.0-45-generic md/arch#x86_64 lang/python#3.12.6 md/pyimpl#CPython cfg/retry-mode#standard md/installer#exe md/prompt#off',
  console: 'AWS Internal',
  browser:
    'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/129.0.0.0 Safari/537.36',
  athenaJdbc: 'AthenaJDBC/3.2.0 aws-sdk-java/2.25.64 Linux/5.10.226-214.880.amzn2.x86_64 OpenJDK_64-Bit_Server_VM/17.0.12+7 Java/17.0.12',
  grafana: 'aws-sdk-go/1.55.5 (go1.22.7; linux; amd64) grafana/11.2.2',
} as const;
