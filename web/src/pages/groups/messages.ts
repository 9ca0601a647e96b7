/** The groups page's words. */
import { defineMessages } from '../../i18n/messages.ts';

export const messages = defineMessages({
  en: {
    title: 'Groups',
    description:
      'Every user belongs to one group. A group’s ratio multiplies every price its users pay (1 = list price, 0.8 = 20% off); channels can be limited to groups.',
    create: 'New group',
    rootOnly: 'Only root changes groups.',
    empty: 'No groups.',
    column: { name: 'Name', ratio: 'Ratio', description: 'Description', users: 'Users', actions: 'Actions' },
    menu: 'Actions for {{name}}',
    defaultProtected: 'The default group cannot be deleted',
    form: {
      createTitle: 'New group',
      editTitle: 'Edit group {{name}}',
      name: 'Name',
      nameHint: 'Letters, digits, _ . - (at most 64); cannot be changed later',
      nameInvalid: 'Use 1 to 64 letters, digits, _ . -',
      ratio: 'Ratio',
      ratioHint: 'Price multiplier: 1 is the list price, 0.5 half of it, 2 twice it',
      ratioInvalid: 'More than 0, at most 1000',
      description: 'Description',
      created: 'Group created',
      saved: 'Group saved',
    },
  },
  zh: {
    title: '分组管理',
    description:
      '每个用户属于一个分组。分组倍率会乘到该组用户支付的每个价格上（1 为原价，0.8 即八折）；渠道可限定只服务某些分组。',
    create: '新建分组',
    rootOnly: '只有 root 能修改分组。',
    empty: '暂无分组。',
    column: { name: '名称', ratio: '倍率', description: '描述', users: '用户数', actions: '操作' },
    menu: '{{name}} 的操作',
    defaultProtected: '默认分组不能删除',
    form: {
      createTitle: '新建分组',
      editTitle: '编辑分组 {{name}}',
      name: '名称',
      nameHint: '字母、数字或 _ . -（最多 64 个）；创建后不可修改',
      nameInvalid: '请使用 1 到 64 个字母、数字或 _ . -',
      ratio: '倍率',
      ratioHint: '价格倍率：1 为原价，0.5 为半价，2 为两倍',
      ratioInvalid: '须大于 0，且不超过 1000',
      description: '描述',
      created: '分组已创建',
      saved: '分组已保存',
    },
  },
});
