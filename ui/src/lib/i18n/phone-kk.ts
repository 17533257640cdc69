import type { phoneEn } from './phone-en';

export const phoneKk = {
  'phone.title': 'Телефон',
  'phone.line.off': 'Телефон өшірулі',
  'phone.line.connecting': 'Қосылуда…',
  'phone.line.registered': 'Қоңырау қабылдауға дайын',
  'phone.line.reconnecting': 'Байланыс үзілді, қайта қосылуда…',
  'phone.line.failed': 'Телефон қосылмаған',
  'phone.incoming': 'Кіріс қоңырау',
  'phone.active': 'Сөйлесу жүріп жатыр',
  'phone.connecting': 'Қосылуда…',
  'phone.ended': 'Қоңырау аяқталды',
  'phone.answer': 'Жауап беру',
  'phone.hangup': 'Аяқтау',
  'phone.mute': 'Микрофонды өшіру',
  'phone.unmute': 'Микрофонды қосу',
  'phone.dismiss': 'Жабу',
  'phone.retry': 'Қайта қосу',
  'phone.unknownCaller': 'Нөмір жасырылған',
  'phone.language': 'Тілі: {lang}',
  'phone.service': 'Терілген нөмір: {service}',
  'phone.shortcut': '{action} ({key})',
  'phone.devices': 'Гарнитура',
  'phone.device.input': 'Микрофон',
  'phone.device.output': 'Динамик',
  'phone.device.default': 'Әдепкі',
  'phone.problem.mic_denied':
    'Браузер микрофонға рұқсат бермейді. Осы сайтқа рұқсат беріңіз (мекенжай жолындағы құлып белгісі) және қайта жауап беріңіз.',
  'phone.problem.mic_missing':
    'Микрофон табылмады. Гарнитураны қосып, оны «Гарнитура» бөлімінен таңдаңыз.',
  'phone.problem.mic_busy':
    'Микрофонды басқа бағдарлама пайдаланып тұр. Оны жауып, қайталап көріңіз.',
  'phone.problem.no_softphone': 'Есептік жазбаңызда телефон жоқ. Әкімшіге хабарласыңыз.',
  'phone.problem.auth':
    'АТС телефон құпиясөзін қабылдамады. Шығып, қайта кіріңіз; көмектеспесе, әкімшіге хабарласыңыз.',
  'phone.problem.network': 'АТС-қа қол жетпейді. Телефон өзі қосылуды жалғастырады.',
  'phone.problem.media': 'Қоңырау дыбысын орнату мүмкін болмады. Әкімшіге хабарлаңыз.',
  'phone.problem.unknown': 'Телефон ақауы. Қайталап көріңіз; қайталанса, әкімшіге хабарлаңыз.',
  'phone.hold': 'Күттіру',
  'phone.resume': 'Қайтару',
  'phone.onHold': 'Абонент күтуде',
} as const satisfies { readonly [K in keyof typeof phoneEn]: string };
