(function(){
"use strict";
var D=JSON.parse(document.getElementById("topics-data").textContent);
var NS="http://www.w3.org/2000/svg",svg=document.getElementById("map"),tip=document.getElementById("tip");
var n=D.x.length,r=Math.max(2.5,Math.min(8,260/Math.sqrt(Math.max(n,1)))),marks=new Array(n);
svg.setAttribute("viewBox","0 0 "+D.width+" "+D.height);
var order=[];for(var i=0;i<n;i++){if(D.outlier[i])order.push(i);}
for(i=0;i<n;i++){if(!D.outlier[i])order.push(i);}
var labels=document.getElementById("map-labels");
order.forEach(function(i){var c=document.createElementNS(NS,"circle");
 c.setAttribute("cx",D.x[i]);c.setAttribute("cy",D.y[i]);c.setAttribute("r",r);c.setAttribute("fill",D.color[i]);
 c.setAttribute("class","pt");c.dataset.i=i;svg.insertBefore(c,labels);marks[i]=c;});
function topicName(i){var t=D.topic[i];return t<0?"no topic":"Topic "+t+": "+D.topics[t].label;}
function showTip(i,evt){var box=svg.parentNode.getBoundingClientRect();tip.textContent="";
 var b=document.createElement("b");b.textContent=D.title[i];var s=document.createElement("span");
 s.textContent=topicName(i)+(D.outlier[i]?" (outlier)":"");tip.appendChild(b);tip.appendChild(s);tip.hidden=false;
 var x=evt.clientX-box.left+12,y=evt.clientY-box.top+12;
 if(x+tip.offsetWidth>box.width)x=Math.max(0,box.width-tip.offsetWidth-4);
 if(y+tip.offsetHeight>box.height)y=Math.max(0,evt.clientY-box.top-tip.offsetHeight-10);
 tip.style.left=x+"px";tip.style.top=y+"px";}
svg.addEventListener("mousemove",function(evt){var t=evt.target;
 if(t.classList&&t.classList.contains("pt")){showTip(+t.dataset.i,evt);}else{tip.hidden=true;}});
svg.addEventListener("mouseleave",function(){tip.hidden=true;});
svg.addEventListener("click",function(evt){var t=evt.target;if(t.classList&&t.classList.contains("pt")){reveal(+t.dataset.i);}});
var state={theme:null,topic:null,query:""},status=document.getElementById("status"),
 results=document.getElementById("results"),search=document.getElementById("search");
function matches(i){if(state.topic!==null&&D.topic[i]!==state.topic)return false;
 if(state.theme!==null&&D.theme[i]!==state.theme)return false;
 if(state.query&&D.title[i].toLowerCase().indexOf(state.query)<0)return false;return true;}
function apply(){var shown=0,hits=[];var any=state.theme!==null||state.topic!==null||state.query;
 for(var i=0;i<n;i++){var on=matches(i);marks[i].classList.toggle("dim",any&&!on);
  marks[i].classList.toggle("hit",!!state.query&&on);if(on){shown++;if(state.query)hits.push(i);}}
 labels.querySelectorAll("[data-topic]").forEach(function(l){
  var off=(state.topic!==null&&+l.dataset.topic!==state.topic)||(state.theme!==null&&+l.dataset.theme!==state.theme);
  l.classList.toggle("dim",off);});
 document.querySelectorAll("[data-filter-theme]").forEach(function(b){
  b.setAttribute("aria-pressed",String(+b.dataset.filterTheme===state.theme));});
 document.querySelectorAll("[data-filter-topic]").forEach(function(b){
  b.setAttribute("aria-pressed",String(+b.dataset.filterTopic===state.topic));});
 status.textContent=any?shown+" of "+n+" papers shown":n+" papers";
 results.textContent="";hits.slice(0,25).forEach(function(i){var li=document.createElement("li"),
  a=document.createElement("a");a.href="#paper-"+i;a.textContent=D.title[i];a.addEventListener("click",function(ev){
  ev.preventDefault();reveal(i);});var s=document.createElement("span");s.className="score";
  s.textContent=" · "+topicName(i);li.appendChild(a);li.appendChild(s);results.appendChild(li);});
 if(state.query&&!hits.length){var li=document.createElement("li");li.textContent="No paper title matches.";
  results.appendChild(li);}}
function target(id){var el=id?document.getElementById(id):null;if(!el)return null;
 for(var p=el.parentNode;p;p=p.parentNode){if(p.tagName==="DETAILS"&&!p.open)p.open=true;}return el;}
function show(el){document.querySelectorAll("li.found").forEach(function(x){x.classList.remove("found");});
 if(el.hasAttribute("data-paper"))el.classList.add("found");el.scrollIntoView({block:"center"});}
function reveal(i){var el=target("paper-"+i);if(!el)return;show(el);
 try{history.replaceState(null,"","#paper-"+i);}catch(err){}}
function fromHash(){var id="";try{id=decodeURIComponent(location.hash.slice(1));}catch(err){return;}
 var el=target(id);if(el)show(el);}
/* a link to a paper inside a closed <details> opens it (before the browser scrolls), on click and on
   any change of the address's #fragment, e.g. a shared link or the back button */
document.addEventListener("click",function(evt){var a=evt.target.closest?evt.target.closest('a[href^="#"]'):null;
 if(!a||evt.defaultPrevented)return;var id="",now="";
 try{id=decodeURIComponent(a.getAttribute("href").slice(1));now=decodeURIComponent(location.hash.slice(1));}catch(err){return;}
 var el=target(id);if(el&&id===now){evt.preventDefault();show(el);}});  /* same #fragment: no hashchange follows */
window.addEventListener("hashchange",fromHash);
if(location.hash)fromHash();
document.querySelectorAll("[data-filter-theme]").forEach(function(b){b.addEventListener("click",function(){
 var h=+b.dataset.filterTheme;state.topic=null;state.theme=state.theme===h?null:h;apply();});});
document.querySelectorAll("[data-filter-topic]").forEach(function(b){b.addEventListener("click",function(){
 var t=+b.dataset.filterTopic;state.theme=null;state.topic=state.topic===t?null:t;apply();});});
document.getElementById("reset").addEventListener("click",function(){state.theme=null;state.topic=null;
 state.query="";search.value="";apply();});
search.addEventListener("input",function(){var q=search.value.trim().toLowerCase();state.query=q;apply();});
apply();
})();
